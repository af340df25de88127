//! The wallet's entry point: everything else is in the library so it can be tested. The
//! council workspace is a build of its own (`crates/workspace`), so none of it is
//! in the wallet people download.

fn main() {
    // For the start-up benchmark: the moment the wasm module is running.
    tally::browser::mark("tally:main");
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(tally::app::App);
}

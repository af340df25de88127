//! The wallet's entry point: everything else is in the library so it can be tested.

fn main() {
    // For the start-up benchmark: the moment the wasm module is running.
    tally::browser::mark("tally:main");
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(tally::app::App);
}

//! The wallet's entry point: everything else is in the library so it can be tested.

fn main() {
    // For the start-up benchmark: the moment the wasm module is running.
    tally::browser::mark("tally:main");
    console_error_panic_hook::set_once();
    // The council workspace (`/council...`) is its own app: staff, not a person's wallet.
    if tally::council::is_workspace_path() {
        leptos::mount::mount_to_body(tally::council::WorkspaceApp);
    } else {
        leptos::mount::mount_to_body(tally::app::App);
    }
}

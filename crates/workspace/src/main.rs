//! The council workspace's entry point: its own small build (`index.html` here), served
//! under `/council`, so people using the wallet never download the staff screens.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(tally_workspace::WorkspaceApp);
}

//! Signing in to the workspace.

use leptos::prelude::*;
use tally_api::SignInRequest;

use crate::client as api;
use crate::{use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};
use tally_web::page_title;

#[component]
pub(crate) fn SignIn() -> impl IntoView {
    page_title("Sign in to the council workspace");
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // Shown once the server asks for a second factor (the password was right).
    let asks_code = RwSignal::new(false);
    // Shown once the server says the email and password open several councils' workspaces.
    let council = RwSignal::new(String::new());
    let asks_council = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let busy = RwSignal::new(false);
    let field_error = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (typed_email, typed_password) = (email.get_untracked(), password.get_untracked());
        let typed_code = asks_code.get_untracked().then(|| code.get_untracked());
        let typed_council = asks_council.get_untracked().then(|| council.get_untracked());
        let mut problems = Vec::new();
        if typed_email.trim().is_empty() {
            problems.push(("email", "Enter your email address".to_owned()));
        }
        if typed_password.is_empty() {
            problems.push(("password", "Enter your password".to_owned()));
        }
        errors.set(problems);
        if !errors.with_untracked(Vec::is_empty) {
            return;
        }
        busy.set(true);
        once.run(async move {
            let request = SignInRequest {
                email: typed_email,
                password: typed_password,
                code: typed_code,
                council: typed_council,
            };
            match api::sign_in(&request).await {
                Ok(profile) => {
                    password.set(String::new());
                    code.set(String::new());
                    workspace.staff.set(Some(Some(profile)));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    let said =
                        |field: &str| problem.fields().iter().find(|f| f.field == field).map(|f| f.message.clone());
                    match (said("council"), said("code")) {
                        (Some(message), _) => {
                            asks_council.set(true);
                            errors.set(vec![("sign-in-council", message)]);
                        }
                        (None, Some(message)) => {
                            asks_code.set(true);
                            code.set(String::new());
                            errors.set(vec![("sign-in-code", message)]);
                        }
                        (None, None) => errors.set(vec![("password", problem.message())]),
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <h1>"Sign in to the council workspace"</h1>
        <p>"For council staff who look after direct payments. People using Tally for their own direct payment do not need to sign in here."</p>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <TextField id="email" label="Email address" value=email error=field_error("email") input_type="email" autocomplete="username"/>
            <TextField id="password" label="Password" value=password error=field_error("password") input_type="password" autocomplete="current-password"/>
            <Show when=move || asks_council.get()>
                <TextField id="sign-in-council" label="Council" hint="The name of the council whose workspace you want." value=council error=field_error("sign-in-council") autocomplete="organization"/>
            </Show>
            <Show when=move || asks_code.get()>
                <TextField id="sign-in-code" label="Code from your authenticator app" hint="6 digits, or one of your recovery codes." value=code error=field_error("sign-in-code") inputmode="numeric" autocomplete="one-time-code"/>
            </Show>
            <button type="submit" class="button" prop:disabled=move || busy.get()>"Sign in"</button>
        </form>
    }
}

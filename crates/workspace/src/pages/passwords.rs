//! Passwords: choosing one with a one-time link (`/council/set-password#…`), and
//! changing your own and setting up two-factor sign-in (`/council/your-account`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_api::{ChangePasswordRequest, SetPasswordRequest};

use crate::client as api;
use crate::{use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};
use tally_web::page_title;

use super::*;

/// The link's secret, taken from the address once and then removed from it (and from the
/// browser's history), so it is not left on a shared screen.
fn take_link_token() -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let hash = window.location().hash().unwrap_or_default();
    let token = hash.trim_start_matches('#').to_owned();
    if !token.is_empty() {
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/council/set-password"));
        }
    }
    token
}

/// The new password and its repetition: what is wrong, by field.
fn new_password_problems(
    password: &str,
    again: &str,
    email: &str,
    ids: (&'static str, &'static str),
) -> Vec<(&'static str, String)> {
    if let Some(problem) = tally_api::password_problem(password, email) {
        return vec![(ids.0, problem)];
    }
    if password != again {
        return vec![(ids.1, "The two passwords are not the same: type it again".to_owned())];
    }
    Vec::new()
}

#[component]
pub(crate) fn SetPassword() -> impl IntoView {
    page_title("Choose your password");
    let token = StoredValue::new(take_link_token());
    let details = RwSignal::new(None::<Result<tally_api::LinkDetails, String>>);
    spawn_local(async move {
        let token = token.get_value();
        let found = if token.is_empty() {
            Err("This link is not whole: open the whole link you were given, or ask an administrator for a new one."
                .to_owned())
        } else {
            api::link_details(&token).await.map_err(|p| p.message())
        };
        details.set(Some(found));
    });
    let done = RwSignal::new(false);
    view! {
        <h1>"Choose your password"</h1>
        {move || match details.get() {
            None => view! { <p role="status">"Checking your link…"</p> }.into_any(),
            Some(Err(message)) => view! {
                <div class="notice notice--warning" role="alert"><p>{message}</p></div>
                <p><a href="/council" rel="external">"Go to sign in"</a></p>
            }.into_any(),
            Some(Ok(_)) if done.get() => view! {
                <p role="status" class="confirmation">"Your password is set. You can sign in with it now."</p>
                // A fresh page load (not the router's), so nothing of the link's page stays.
                <p><a href="/council" class="button" rel="external">"Go to sign in"</a></p>
            }.into_any(),
            Some(Ok(link)) => view! { <ChoosePassword link token=token.get_value() done/> }.into_any(),
        }}
    }
}

#[component]
fn ChoosePassword(link: tally_api::LinkDetails, token: String, done: RwSignal<bool>) -> impl IntoView {
    let once = OneAtATime::new();
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let email = link.email.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (typed, repeated) = (password.get_untracked(), again.get_untracked());
        errors.set(new_password_problems(&typed, &repeated, &email, ("new-password", "new-password-again")));
        if !errors.with_untracked(Vec::is_empty) {
            return;
        }
        let request = SetPasswordRequest { token: token.clone(), password: typed };
        once.run(async move {
            match api::use_password_link(&request).await {
                Ok(()) => done.set(true),
                Err(problem) => errors.set(field_errors(&problem, &[("password", "new-password")], "new-password")),
            }
        });
    };
    let why = match link.purpose.as_str() {
        "reset" => {
            "An administrator sent you this link to choose a new password. Your old password works until you do."
        }
        _ => "Welcome. Choose the password you will sign in to the council workspace with.",
    };
    view! {
        <p>{format!("For {} ({}) at {}.", link.name, link.email, link.council_name)}</p>
        <p>{why}" The link works once."</p>
        <ErrorSummary errors=errors/>
        <form on:submit=submit novalidate>
            <input type="email" name="username" autocomplete="username" value=link.email.clone() hidden/>
            <TextField id="new-password" label="New password" hint="At least 12 characters. A few unrelated words make a strong one." value=password error=error_of("new-password") input_type="password" autocomplete="new-password"/>
            <TextField id="new-password-again" label="Type the new password again" value=again error=error_of("new-password-again") input_type="password" autocomplete="new-password"/>
            <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Set my password"</button>
        </form>
    }
}

#[component]
pub(crate) fn YourAccount() -> impl IntoView {
    page_title("Your account");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let once = OneAtATime::new();
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let profile = move || workspace.staff.with(|s| s.as_ref().and_then(|s| s.as_ref()).cloned());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let email = profile().map(|p| p.email).unwrap_or_default();
        let (now, typed, repeated) = (current.get_untracked(), password.get_untracked(), again.get_untracked());
        let mut problems = Vec::new();
        if now.is_empty() {
            problems.push(("current-password", "Enter your current password".to_owned()));
        }
        problems.extend(new_password_problems(&typed, &repeated, &email, ("new-password", "new-password-again")));
        errors.set(problems);
        if !errors.with_untracked(Vec::is_empty) {
            return;
        }
        let request = ChangePasswordRequest { current_password: now, new_password: typed };
        let csrf = workspace.csrf();
        once.run(async move {
            match api::change_password(&csrf, &request).await {
                Ok(()) => {
                    errors.set(Vec::new());
                    for field in [current, password, again] {
                        field.set(String::new());
                    }
                    notice.say("Your password is changed. You are signed out everywhere else.".to_owned());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[("current_password", "current-password"), ("new_password", "new-password")],
                        "current-password",
                    ));
                }
            }
        });
    };
    view! {
        {notice.view()}
        <h1>"Your account"</h1>
        {move || profile().map(|p| view! { <p>{format!("{} ({}), {} at {}.", p.name, p.email, p.role_label, p.council_name)}</p> })}
        <section aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            {move || match profile().map(|p| p.two_factor_on) {
                Some(true) => view! { <p>"Two-factor sign-in is on: you type a code from your authenticator app each time you sign in. If you lose your phone, use a recovery code, or ask an administrator to turn it off so you can set it up again."</p> }.into_any(),
                _ => view! { <TwoFactorSetupForm done=Callback::new(move |()| workspace.reload_profile())/> }.into_any(),
            }}
        </section>
        <Sessions/>
        <section aria-labelledby="change-password-heading">
            <h2 id="change-password-heading">"Change your password"</h2>
            <ErrorSummary errors=errors/>
            <form on:submit=submit novalidate>
                <TextField id="current-password" label="Current password" value=current error=error_of("current-password") input_type="password" autocomplete="current-password"/>
                <TextField id="new-password" label="New password" hint="At least 12 characters." value=password error=error_of("new-password") input_type="password" autocomplete="new-password"/>
                <TextField id="new-password-again" label="Type the new password again" value=again error=error_of("new-password-again") input_type="password" autocomplete="new-password"/>
                <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Change my password"</button>
            </form>
        </section>
    }
}

/// Setting up two-factor sign-in: a QR code (and the secret as letters, for an app that
/// cannot scan), a code from the app to prove it, then the recovery codes, shown once.
/// `done` runs once the person has seen their recovery codes.
#[component]
pub(crate) fn TwoFactorSetupForm(done: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let started = RwSignal::new(None::<tally_api::TwoFactorSetup>);
    let recovery = RwSignal::new(None::<Vec<String>>);
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let start = move |_| {
        let csrf = workspace.csrf();
        once.run(async move {
            match api::two_factor_setup(&csrf).await {
                Ok(setup) => {
                    errors.set(Vec::new());
                    started.set(Some(setup));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(vec![("two-factor-code", problem.message())]);
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if typed.trim().is_empty() {
            errors.set(vec![("two-factor-code", "Enter the 6-digit code the app shows for Tally".to_owned())]);
            return;
        }
        let csrf = workspace.csrf();
        once.run(async move {
            match api::two_factor_confirm(&csrf, &typed).await {
                Ok(codes) => {
                    errors.set(Vec::new());
                    recovery.set(Some(codes.codes));
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(&problem, &[("code", "two-factor-code")], "two-factor-code"));
                }
            }
        });
    };
    view! {
        {move || match (recovery.get(), started.get()) {
            (Some(codes), _) => view! {
                <p role="status" class="confirmation">"Two-factor sign-in is on."</p>
                <h3>"Your recovery codes"</h3>
                <p>"If you lose your phone, each of these signs you in once instead of a code from the app. Keep them somewhere safe, apart from your phone (print them, or keep them in the council's password manager). They are shown only now."</p>
                <ul class="recovery-codes" aria-label="Recovery codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
                <button type="button" class="button" on:click=move |_| done.run(())>"I have kept my recovery codes"</button>
            }.into_any(),
            (None, None) => view! {
                <p>"Each time you sign in, you will also type a code from an authenticator app on your phone (such as Microsoft Authenticator, Google Authenticator or a password manager)."</p>
                <ErrorSummary errors=errors/>
                <button type="button" class="button" on:click=start aria-disabled=move || once.busy().then_some("true")>"Set up two-factor sign-in"</button>
            }.into_any(),
            (None, Some(setup)) => view! {
                <ol>
                    <li>"In your authenticator app, add an account and scan this QR code."</li>
                    <li>"Then type the 6-digit code the app shows for Tally below."</li>
                </ol>
                <div class="qr-code" inner_html=setup.qr_svg.clone()></div>
                <p>"If you cannot scan it, type this key into the app instead: "<code class="secret-key">{setup.secret.clone()}</code></p>
                <ErrorSummary errors=errors/>
                <form on:submit=submit novalidate>
                    <TextField id="two-factor-code" label="Code from the app" value=code error=error_of("two-factor-code") inputmode="numeric" autocomplete="one-time-code"/>
                    <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Turn on two-factor sign-in"</button>
                </form>
            }.into_any(),
        }}
    }
}

/// Shown instead of every page to someone whose council requires two-factor sign-in of
/// them, until they have set it up.
#[component]
pub(crate) fn TwoFactorRequired() -> impl IntoView {
    page_title("Set up two-factor sign-in");
    let workspace = use_workspace();
    let done = Callback::new(move |()| workspace.reload_profile());
    view! {
        <h1>"Set up two-factor sign-in"</h1>
        <p>"Your council requires two-factor sign-in for your role. Set it up to start using the workspace."</p>
        <TwoFactorSetupForm done/>
    }
}

/// Where you are signed in, with a way to end a session you do not recognise.
#[component]
fn Sessions() -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let list = workspace.resource(api::sessions);
    view! {
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <p>"If you do not recognise one, sign it out and change your password."</p>
            {crate::shown(list, "Loading…", move |found: tally_api::SessionList| view! {
                <ul class="device-list" aria-label="Your sessions">
                    {found.sessions.into_iter().map(|session| {
                        let started = crate::when(session.started_at_ms);
                        let place = session.address.clone().unwrap_or_else(|| "an unknown address".to_owned());
                        let browser = session.browser.clone().unwrap_or_else(|| "an unknown browser".to_owned());
                        let id = session.id.clone();
                        let end = move |_| {
                            let (id, csrf) = (id.clone(), workspace.csrf());
                            once.run(async move {
                                match api::end_session(&csrf, &id).await {
                                    Ok(()) => {
                                        notice.say("That session is signed out.".to_owned());
                                        list.refetch();
                                    }
                                    Err(problem) => {
                                        workspace.note(&problem);
                                        notice.say(problem.message());
                                    }
                                }
                            });
                        };
                        view! {
                            <li>
                                <p>{format!("Signed in {started} from {place}")}{session.this_one.then_some(" (this one)")}</p>
                                <p class="hint">{browser}</p>
                                {(!session.this_one).then(|| view! {
                                    <button type="button" class="button button--secondary" on:click=end>{format!("Sign out the session from {started}")}</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

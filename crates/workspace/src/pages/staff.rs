//! Who has access to the workspace (administrators).

use leptos::prelude::*;

use crate::client as api;
use crate::{shown, use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};
use tally_web::page_title;

use super::*;

/// A role as the staff page names it ("Read-only auditor").
pub(crate) fn role_name(role: tally_api::Role) -> String {
    let label = role.label();
    label[..1].to_uppercase() + &label[1..]
}

/// The role options of a select, `role` chosen.
pub(crate) fn role_options(role: RwSignal<tally_api::Role>) -> impl IntoView {
    tally_api::Role::ALL
        .into_iter()
        .map(|value| view! { <option value=value.as_str() selected=move || role.get() == value>{role_name(value)}</option> })
        .collect_view()
}

#[component]
pub(crate) fn StaffPage() -> impl IntoView {
    page_title("Staff");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let list = workspace.resource(api::staff);
    let reload = Callback::new(move |()| list.refetch());
    let me = move || {
        workspace.staff.with(|s| s.as_ref().and_then(|s| s.as_ref()).map(|s| s.email.clone()).unwrap_or_default())
    };
    let link = RwSignal::new(None::<tally_api::PasswordLink>);
    provide_context(LinkShown(link));
    view! {
        {notice.view()}
        <h1>"Staff"</h1>
        <p>"Who can use the council workspace, and what they may do. Finance officers review, record and reconcile; auditors read everything and change nothing; administrators also manage staff and the policy."</p>
        {move || link.get().map(|link| view! { <LinkView link/> })}
        {shown(list, "Loading…", move |found: tally_api::StaffList| view! {
            <ul class="device-list" aria-label="Staff with access">
                {found.staff.into_iter().map(|m| {
                    let mine = m.email == me();
                    view! { <StaffRowView member=m mine on_change=reload/> }
                }).collect_view()}
            </ul>
            <TwoFactorRule everyone=found.two_factor_for_everyone/>
            {(!found.removed.is_empty()).then(|| view! {
                <h2>"Access removed"</h2>
                <ul class="device-list" aria-label="Staff whose access was removed">
                    {found.removed.into_iter().map(|m| view! { <RemovedRowView member=m on_change=reload/> }).collect_view()}
                </ul>
            })}
        })}
        <AddStaff on_change=reload/>
    }
}

/// Who must use two-factor sign-in: administrators always; everyone if the council says.
#[component]
fn TwoFactorRule(everyone: bool) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let chosen = RwSignal::new(everyone);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (csrf, everyone) = (workspace.csrf(), chosen.get_untracked());
        once.run(async move {
            match api::set_two_factor_rule(&csrf, everyone).await {
                Ok(()) => notice.say(match everyone {
                    true => "Everyone must now use two-factor sign-in: each person sets it up at their next sign-in."
                        .to_owned(),
                    false => {
                        "Administrators must use two-factor sign-in; for everyone else it is their choice.".to_owned()
                    }
                }),
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    view! {
        <section aria-labelledby="two-factor-rule-heading">
            <h2 id="two-factor-rule-heading">"Two-factor sign-in"</h2>
            <p>"Administrators always sign in with a code from an authenticator app as well as their password."</p>
            <form on:submit=save>
                <div class="field field--checkbox">
                    <input id="two-factor-everyone" type="checkbox" prop:checked=move || chosen.get() on:change=move |ev| chosen.set(event_target_checked(&ev))/>
                    <label for="two-factor-everyone">"Everyone at the council must use two-factor sign-in"</label>
                </div>
                <button type="submit" class="button button--secondary" aria-disabled=move || once.busy().then_some("true")>"Save who must use two-factor sign-in"</button>
            </form>
        </section>
    }
}

/// The one-time link the staff page shows after it made one.
#[derive(Clone, Copy)]
struct LinkShown(RwSignal<Option<tally_api::PasswordLink>>);

fn show_link(link: tally_api::PasswordLink) {
    if let Some(LinkShown(shown)) = use_context::<LinkShown>() {
        shown.set(Some(link));
    }
}

/// A one-time link, to copy and give to the person it is for.
#[component]
fn LinkView(link: tally_api::PasswordLink) -> impl IntoView {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let address = format!("{origin}{}", link.path);
    let until = crate::when(link.expires_at_ms);
    view! {
        <div class="notice" role="region" aria-label="One-time link">
            <p><strong>{format!("A one-time link for {} ({}).", link.name, link.email)}</strong></p>
            <p>{format!("Give it to them only, by a route you trust. It works once, until {until}, for them to choose their own password. It is shown only now.")}</p>
            <div class="field">
                <label for="one-time-link">{format!("Link for {}", link.name)}</label>
                <input id="one-time-link" type="text" readonly value=address on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }/>
            </div>
        </div>
    }
}

/// Someone whose access was removed: an administrator can give it again (with a link to
/// choose a new password; the old one no longer works).
#[component]
fn RemovedRowView(member: tally_api::StaffMember, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let id = member.staff_id.clone();
    let again = move |_| {
        let (id, csrf) = (id.clone(), workspace.csrf());
        once.run(async move {
            match api::password_link(&csrf, &id).await {
                Ok(link) => {
                    notice.say(format!(
                        "{} has access again once they choose a password with the link below.",
                        link.name
                    ));
                    show_link(link);
                    on_change.run(());
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
            <p><strong>{member.name.clone()}</strong>{format!(" · {} · {} · access removed", member.email, role_name(member.role))}</p>
            <button type="button" class="button button--secondary" on:click=again>{format!("Give {} access again", member.name)}</button>
        </li>
    }
}

#[component]
pub(crate) fn StaffRowView(member: tally_api::StaffMember, mine: bool, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let role = RwSignal::new(member.role);
    let confirming = RwSignal::new(false);
    let label = role_name(member.role);
    let select_id = format!("role-{}", member.staff_id);
    let (id_role, id_remove, id_clear) = (member.staff_id.clone(), member.staff_id.clone(), member.staff_id.clone());
    let name = member.name.clone();
    let change = move |_| {
        let (id, csrf, chosen) = (id_role.clone(), workspace.csrf(), role.get_untracked());
        once.run(async move {
            match api::change_role(&csrf, &id, &tally_api::RoleChange { role: Some(chosen) }).await {
                Ok(()) => {
                    notice.say("The role is changed.".to_owned());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    let remove = move |_| {
        let (id, csrf) = (id_remove.clone(), workspace.csrf());
        once.run(async move {
            match api::remove_staff(&csrf, &id).await {
                Ok(()) => {
                    notice.say("Their access is removed and they are signed out.".to_owned());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    let id_link = member.staff_id.clone();
    let reset = move |_| {
        let (id, csrf) = (id_link.clone(), workspace.csrf());
        once.run(async move {
            match api::password_link(&csrf, &id).await {
                Ok(link) => {
                    notice.say(format!("A one-time link for {} to choose a new password is below.", link.name));
                    show_link(link);
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    let id_two_factor = member.staff_id.clone();
    let two_factor_name = member.name.clone();
    let reset_two_factor = move |_| {
        let (id, csrf, name) = (id_two_factor.clone(), workspace.csrf(), two_factor_name.clone());
        once.run(async move {
            match api::reset_two_factor(&csrf, &id).await {
                Ok(()) => {
                    notice.say(format!("Two-factor sign-in is off for {name}, who is signed out. They set it up again when they next sign in."));
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    let two_factor_on = member.two_factor_on;
    let clear_name = member.name.clone();
    let clear = move |_| {
        let (id, csrf, name) = (id_clear.clone(), workspace.csrf(), clear_name.clone());
        once.run(async move {
            match api::clear_sign_in_failures(&csrf, &id).await {
                Ok(()) => notice.say(format!("{name} can try their password again now.")),
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    view! {
        <li>
            <p><strong>{member.name.clone()}</strong>{format!(" · {} · {label}", member.email)}{member.two_factor_on.then_some(" · two-factor sign-in")}{mine.then_some(" (you)")}</p>
            {(!mine).then(|| {
                let remove = remove.clone();
                let name = name.clone();
                view! {
                    <div class="field">
                        <label for=select_id.clone()>{format!("Role of {}", member.name)}</label>
                        <select id=select_id.clone() on:change=move |ev| role.set(tally_api::Role::parse(&event_target_value(&ev)).unwrap_or(tally_api::Role::Auditor))>
                            {role_options(role)}
                        </select>
                    </div>
                    <button type="button" class="button button--secondary" on:click=change.clone()>{format!("Change the role of {}", member.name)}</button>
                    {two_factor_on.then(|| view! {
                        <button type="button" class="button button--secondary" on:click=reset_two_factor.clone()>{format!("Turn off two-factor sign-in for {} (a lost phone)", member.name)}</button>
                    })}
                    <button type="button" class="button button--secondary" on:click=reset.clone()>{format!("Make a password reset link for {}", member.name)}</button>
                    <button type="button" class="button button--secondary" on:click=clear.clone()>{format!("Let {} try their password again now", member.name)}</button>
                    {move || if confirming.get() {
                        let remove = remove.clone();
                        view! {
                            <p>{format!("Remove {name}'s access? They are signed out at once.")}</p>
                            <button type="button" class="button button--warning" on:click=remove>{format!("Yes, remove {name}'s access")}</button>
                            <button type="button" class="button button--secondary" on:click=move |_| confirming.set(false)>"Keep their access"</button>
                        }.into_any()
                    } else {
                        view! { <button type="button" class="button button--secondary" on:click=move |_| confirming.set(true)>{format!("Remove {}'s access", name)}</button> }.into_any()
                    }}
                }
            })}
        </li>
    }
}

#[component]
pub(crate) fn AddStaff(on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(tally_api::Role::FinanceOfficer);
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = tally_api::NewStaff {
            name: name.get_untracked(),
            email: email.get_untracked(),
            role: Some(role.get_untracked()),
        };
        let csrf = workspace.csrf();
        once.run(async move {
            match api::add_staff(&csrf, &request).await {
                Ok(link) => {
                    errors.set(Vec::new());
                    notice.say(format!(
                        "{} is added. They can sign in once they choose a password with the link below.",
                        link.name
                    ));
                    show_link(link);
                    name.set(String::new());
                    email.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[("name", "staff-name"), ("email", "staff-email"), ("role", "staff-role")],
                        "staff-name",
                    ));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="add-staff-heading">
            <h2 id="add-staff-heading">"Give someone access"</h2>
            <ErrorSummary errors=errors/>
            <form on:submit=submit novalidate>
                <TextField id="staff-name" label="Name" value=name error=error_of("staff-name")/>
                <TextField id="staff-email" label="Work email address" value=email error=error_of("staff-email") input_type="email"/>
                <div class="field">
                    <label for="staff-role">"Role"</label>
                    <select id="staff-role" on:change=move |ev| role.set(tally_api::Role::parse(&event_target_value(&ev)).unwrap_or(tally_api::Role::Auditor))>
                        {role_options(role)}
                    </select>
                </div>
                <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Give access"</button>
            </form>
        </section>
    }
}

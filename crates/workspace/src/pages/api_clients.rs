//! API clients for the council's finance systems (administrators): made with a name and
//! scopes, the secret shown once, revoked at once.

use leptos::prelude::*;
use tally_api::{ApiClientSecret, ApiClientView, ApiScope};

use crate::client as api;
use crate::{shown, use_workspace, OneAtATime};
use tally_web::field::{error_for, ErrorSummary, TextField};
use tally_web::page_title;

use super::*;

#[component]
pub(crate) fn ApiClientsPage() -> impl IntoView {
    page_title("API clients");
    let workspace = use_workspace();
    let notice = Notice::provide();
    let list = workspace.resource(api::api_clients);
    let reload = Callback::new(move |()| list.refetch());
    let made = RwSignal::new(None::<ApiClientSecret>);
    view! {
        {notice.view()}
        <h1>"API clients"</h1>
        <p>"A council finance system can use Tally's API with a client id and secret, for what its scopes allow. Every call it makes is in the audit log. The API is described at /api/v1/openapi.json."</p>
        {move || made.get().map(|client| view! { <SecretView client/> })}
        {shown(list, "Loading…", move |found: tally_api::ApiClientList| {
            if found.clients.is_empty() {
                view! { <p>"No API clients yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="device-list" aria-label="API clients">
                        {found.clients.into_iter().map(|c| view! { <ClientRow client=c on_change=reload/> }).collect_view()}
                    </ul>
                }.into_any()
            }
        })}
        <MakeClient made on_change=reload/>
    }
}

fn scope_words(scopes: &[ApiScope]) -> String {
    scopes.iter().map(|s| s.label().to_lowercase()).collect::<Vec<_>>().join(", ")
}

/// The new client's id and secret, shown this once.
#[component]
fn SecretView(client: ApiClientSecret) -> impl IntoView {
    view! {
        <div class="notice" role="region" aria-label="New API client's secret">
            <p><strong>{format!("{} can now call the API.", client.name)}</strong></p>
            <p>"Put the client id and secret into the finance system now: the secret is shown only this once. The system sends them as HTTP Basic authentication."</p>
            <div class="field">
                <label for="api-client-id">"Client id"</label>
                <input id="api-client-id" type="text" readonly value=client.client_id.clone()/>
            </div>
            <div class="field">
                <label for="api-client-secret">"Client secret"</label>
                <input id="api-client-secret" type="text" readonly value=client.secret.clone()/>
            </div>
        </div>
    }
}

#[component]
fn ClientRow(client: ApiClientView, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let confirming = RwSignal::new(false);
    let used = client.last_used_at_ms.map_or("never used".to_owned(), |at| format!("last used {}", crate::when(at)));
    let state = match client.revoked_at_ms {
        Some(at) => format!("revoked {}", crate::when(at)),
        None => used,
    };
    let (id, name) = (client.client_id.clone(), client.name.clone());
    let revoke = move |_| {
        let (id, csrf, name) = (id.clone(), workspace.csrf(), name.clone());
        once.run(async move {
            match api::revoke_api_client(&csrf, &id).await {
                Ok(()) => {
                    notice.say(format!("{name} is revoked: its secret no longer works."));
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    notice.say(problem.message());
                }
            }
        });
    };
    let name = client.name.clone();
    view! {
        <li>
            <p><strong>{client.name.clone()}</strong>{format!(" · {} · may {} · made by {} {} · {state}", client.client_id, scope_words(&client.scopes), client.created_by, crate::when(client.created_at_ms))}</p>
            {client.revoked_at_ms.is_none().then(|| view! {
                {move || if confirming.get() {
                    let revoke = revoke.clone();
                    view! {
                        <p>{format!("Revoke {}? The finance system's calls are refused from now on.", name)}</p>
                        <button type="button" class="button button--warning" on:click=revoke>{format!("Yes, revoke {}", name)}</button>
                        <button type="button" class="button button--secondary" on:click=move |_| confirming.set(false)>"Keep it"</button>
                    }.into_any()
                } else {
                    view! { <button type="button" class="button button--secondary" on:click=move |_| confirming.set(true)>{format!("Revoke {}", name)}</button> }.into_any()
                }}
            })}
        </li>
    }
}

#[component]
fn MakeClient(made: RwSignal<Option<ApiClientSecret>>, on_change: Callback<()>) -> impl IntoView {
    let workspace = use_workspace();
    let once = OneAtATime::new();
    let notice = page_notice();
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![ApiScope::Read]);
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let error_of = move |id: &'static str| error_for(errors, id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = tally_api::NewApiClient { name: name.get_untracked(), scopes: chosen.get_untracked() };
        let csrf = workspace.csrf();
        once.run(async move {
            match api::make_api_client(&csrf, &request).await {
                Ok(client) => {
                    errors.set(Vec::new());
                    notice.say(format!("{} is made. Copy its secret below now: it is not shown again.", client.name));
                    made.set(Some(client));
                    name.set(String::new());
                    on_change.run(());
                }
                Err(problem) => {
                    workspace.note(&problem);
                    errors.set(field_errors(
                        &problem,
                        &[("name", "client-name"), ("scopes", "client-scope-read")],
                        "client-name",
                    ));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="make-client-heading">
            <h2 id="make-client-heading">"Make an API client"</h2>
            <ErrorSummary errors=errors/>
            <form on:submit=submit novalidate>
                <TextField id="client-name" label="What it is" hint="For example, Payments interface" value=name error=error_of("client-name")/>
                <fieldset class="field">
                    <legend>"What it may do"</legend>
                    {move || error_of("client-scope-read").get().map(|message| view! {
                        <p class="field-error" id="client-scope-read-error"><span class="visually-hidden">"Error: "</span>{message}</p>
                    })}
                    {ApiScope::ALL.into_iter().map(|scope| {
                        let id = format!("client-scope-{}", scope.as_str().replace('_', "-"));
                        view! {
                            <div class="field--checkbox">
                                <input id=id.clone() type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&scope)) on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|s| *s != scope);
                                        if on {
                                            c.push(scope);
                                        }
                                    });
                                }/>
                                <label for=id>{scope.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button" aria-disabled=move || once.busy().then_some("true")>"Make the API client"</button>
            </form>
        </section>
    }
}

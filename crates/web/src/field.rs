//! Form fields with their label, hint and error, and the error summary above a form
//! (the GOV.UK pattern: errors listed at the top, each linking to its field, and repeated
//! beside the field).

use leptos::prelude::*;

/// The list of problems with a form, shown above it. `errors` holds (field id, message)
/// pairs; nothing is shown when it is empty. Focus moves here when it appears, so screen
/// reader and keyboard users hear it at once.
#[component]
pub fn ErrorSummary(#[prop(into)] errors: Signal<Vec<(&'static str, String)>>) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if !errors.with(Vec::is_empty) {
            if let Some(element) = summary.get() {
                let _ = element.focus();
            }
        }
    });
    view! {
        <Show when=move || !errors.with(Vec::is_empty)>
            <div class="error-summary" role="alert" tabindex="-1" node_ref=summary aria-labelledby="error-summary-title">
                <h2 id="error-summary-title" class="error-summary__title">"There is a problem"</h2>
                <ul class="error-summary__list">
                    {move || errors.get().into_iter().map(|(id, message)| view! {
                        <li><a href=format!("#{id}") on:click=move |ev| {
                            // Move focus to the field itself (the router would otherwise
                            // treat the link as navigation).
                            ev.prevent_default();
                            if let Some(field) = document().get_element_by_id(id)
                                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                            {
                                field.scroll_into_view();
                                let _ = field.focus();
                            }
                        }>{message}</a></li>
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

/// A labelled text input with an optional hint and an error shown beside it.
/// One field's problem, out of a form's problems (`(field id, message)`), as the signal
/// its [`TextField`] shows.
pub fn error_for(errors: RwSignal<Vec<(&'static str, String)>>, id: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.with(|e| e.iter().find(|(f, _)| *f == id).map(|(_, m)| m.clone())))
}

#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] list: Option<&'static str>,
    #[prop(optional)] prefix: Option<&'static str>,
    #[prop(default = "off")] autocomplete: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input = view! {
        <input
            id=id.clone()
            name=id.clone()
            type=input_type
            inputmode=inputmode
            list=list
            autocomplete=autocomplete
            aria-describedby=described_by
            aria-invalid=move || error.with(Option::is_some).then_some("true")
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    };
    view! {
        <div class="field" class:field--error=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {move || error.get().map(|message| view! {
                <p class="field-error" id=error_id.clone()>
                    <span class="visually-hidden">"Error: "</span>{message}
                </p>
            })}
            {match prefix {
                Some(prefix) => view! {
                    <div class="input-prefix">
                        <span class="input-prefix__symbol" aria-hidden="true">{prefix}</span>
                        {input}
                    </div>
                }.into_any(),
                None => input.into_any(),
            }}
        </div>
    }
}

/// The pairing code's field, as the wallet's pairing page and the first screen both show
/// it: its hint, its error beside it, and the browser's one-time-code filling.
#[component]
pub fn PairingCodeField(code: RwSignal<String>, error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="field" class:field--error=move || error.with(Option::is_some)>
            <label for="pairing-code">"Pairing code"</label>
            <p class="hint" id="pairing-code-hint">"It looks like ABCD-2345. Capital letters do not matter."</p>
            {move || error.get().map(|message| view! {
                <p class="field-error" id="pairing-code-error">
                    <span class="visually-hidden">"Error: "</span>{message}
                </p>
            })}
            <input
                id="pairing-code"
                name="pairing-code"
                type="text"
                autocomplete="one-time-code"
                autocapitalize="characters"
                spellcheck="false"
                aria-describedby=move || if error.with(Option::is_some) { "pairing-code-hint pairing-code-error" } else { "pairing-code-hint" }
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=move || code.get()
                on:input=move |ev| code.set(event_target_value(&ev))
            />
        </div>
    }
}

//! Flags shown to the person: each says its rule, what happened and what they can do, and
//! how serious it is in words (never by colour alone).

use leptos::prelude::*;
use tally_ledger::{Flag, Rule, Severity};

/// The help page's anchor for a rule ("rule-over-budget").
pub fn rule_anchor(rule: Rule) -> String {
    // The rule's name on the wire ("over_budget"), written as the wallet writes all JSON.
    let name = serde_json::to_string(&rule).unwrap_or_default();
    format!("rule-{}", name.trim_matches('"').replace('_', "-"))
}

pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Explain => "Please explain",
        Severity::NotAllowed => "Not allowed — the council will review this",
    }
}

#[component]
pub fn FlagList(#[prop(into)] flags: Signal<Vec<Flag>>) -> impl IntoView {
    view! {
        <ul class="flag-list">
            {move || flags.get().into_iter().map(|flag| {
                let rule = flag.rule();
                let severity = flag.severity();
                view! {
                    <li class="flag" class:flag--not-allowed=severity == Severity::NotAllowed>
                        <p class="flag__severity"><strong>{severity_label(severity)}</strong></p>
                        <p class="flag__title">{rule.title()}</p>
                        <p>{flag.reason()}</p>
                        <p class="hint">
                            {rule.what_to_do()}" "
                            <a href=format!("/help#{}", rule_anchor(rule))>"About this rule"</a>
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

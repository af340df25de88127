//! The one reading of the API's error shape into what a screen shows. Both apps' clients
//! turn an answer that is not a success into a [`Problem`] here.

use tally_api::{ErrorBody, FieldError};

/// Why a call to the council did not work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No answer, a cut-off answer, or one that is not the API's (a proxy's page): try
    /// again later.
    Offline,
    /// Not signed in, not paired, or the session or pairing ended (401).
    SignedOut(String),
    /// The council's server failed (5xx), saying why: a device tries again later; staff
    /// read the reason (an account that cannot be read names itself).
    Failed(String),
    /// The council refused, for the reason given; for a form, each field's problem.
    Refused { message: String, fields: Vec<FieldError> },
}

impl Problem {
    /// From an answer's status and its body read as the API's error shape (`None` when it
    /// was not one: something in between answered). A server error is never a refusal.
    pub fn from_answer(status: u16, body: Option<ErrorBody>) -> Problem {
        match body {
            None => Problem::Offline,
            Some(body) if status >= 500 => Problem::Failed(body.error.message),
            Some(body) if status == 401 => Problem::SignedOut(body.error.message),
            Some(body) => Problem::Refused { message: body.error.message, fields: body.error.fields },
        }
    }

    /// What to tell the person.
    pub fn message(&self) -> String {
        match self {
            Problem::Offline => "Could not reach the council's server. Check the connection and try again.".to_owned(),
            Problem::SignedOut(m) | Problem::Failed(m) | Problem::Refused { message: m, .. } => m.clone(),
        }
    }

    /// The message and, after it, each field's problem: for a page that has no fields to
    /// put them beside (a list whose filter came in its address).
    pub fn in_full(&self) -> String {
        let fields = self.fields();
        if fields.is_empty() {
            return self.message();
        }
        let each: Vec<&str> = fields.iter().map(|f| f.message.as_str()).collect();
        format!("{} {}.", self.message().trim_end_matches('.'), each.join(". ")).replace("..", ".")
    }

    /// A form's problems, field by field (none for other problems).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Problem::Refused { fields, .. } => fields,
            _ => &[],
        }
    }
}

//! The support plan: what the direct payment is for.
//!
//! For now a plan is its lines; versions, outcomes and council policy build on this.

use serde::{Deserialize, Serialize};

use crate::entry::PlanLineId;
use crate::money::Money;

/// What kind of support a plan line buys (the councils' fixed vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PersonalAssistant,
    AgencyCare,
    Respite,
    DayActivities,
    Equipment,
    Transport,
    Training,
    Other,
}

impl Category {
    /// Plain English, as the wallet shows it.
    pub fn label(self) -> &'static str {
        match self {
            Category::PersonalAssistant => "Personal assistant",
            Category::AgencyCare => "Agency care",
            Category::Respite => "Respite",
            Category::DayActivities => "Day activities",
            Category::Equipment => "Equipment",
            Category::Transport => "Transport",
            Category::Training => "Training",
            Category::Other => "Other",
        }
    }
}

/// How often a plan line's budget comes round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Weekly,
    FourWeekly,
    Monthly,
    Yearly,
    OneOff,
}

impl Period {
    /// "a week", "every 4 weeks"...: reads after an amount ("£320.00 every 4 weeks").
    pub fn phrase(self) -> &'static str {
        match self {
            Period::Weekly => "a week",
            Period::FourWeekly => "every 4 weeks",
            Period::Monthly => "a month",
            Period::Yearly => "a year",
            Period::OneOff => "in total",
        }
    }
}

/// One line of a support plan: a kind of support and the budget for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    pub id: PlanLineId,
    pub name: String,
    pub category: Category,
    /// The amount allowed each period. More than zero.
    pub budget: Money,
    pub period: Period,
}

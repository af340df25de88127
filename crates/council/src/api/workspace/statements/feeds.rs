//! A card programme's feed covering many cardholders: one file, split by its card (or
//! account) column into a statement on each cardholder's account, all or nothing; and the
//! cards each account is known by on such feeds.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use tally_api::{AccountCards, CardRequest, ErrorBody, FeedImported, FeedStatement, StatementImport};

use super::super::{council_account, staff_event, Loaded};
use super::{import_detail, nothing_imported, read_file, statement_for};
use crate::api::described::{Changing, Csrf, OnAccount, Reference, SignedIn};
use crate::error::{ApiError, LaterJson};
use crate::staff::{Changer, Staff};
use crate::statements::{self, plain, Parsed};
use crate::storage::AccountRow;
use crate::AppState;

/// The most cards one account is known by.
const MOST_CARDS: usize = 20;
/// The most cardholders one feed may cover: each is a statement read against that
/// person's records, so a feed costs what its cardholders' accounts cost to read.
const MOST_CARDHOLDERS: usize = 500;
/// The longest a card's number or reference may be, in characters.
const LONGEST_CARD: usize = 64;

/// The council's accounts the feed's cards belong to, by the card as the feed writes it: a
/// card added to an account, or the account's own reference.
pub(super) async fn holders_accounts(
    state: &AppState,
    staff: &Staff,
    parsed: &Parsed,
) -> Result<HashMap<String, AccountRow>, ApiError> {
    let mut written: Vec<String> = parsed.holders.values().cloned().collect();
    written.sort_unstable();
    written.dedup();
    let council = &staff.row.council_id;
    let compared: Vec<String> = written.iter().map(|w| plain(w)).collect();
    let by_card = state.storage.card_accounts(council, &compared).await?;
    let ids: Vec<String> = by_card.values().map(ToString::to_string).collect();
    let by_id: HashMap<String, AccountRow> = state
        .storage
        .council_accounts_where(council, true, &ids)
        .await?
        .into_iter()
        .map(|a| (a.account_id.to_string(), a))
        .collect();
    let unknown: Vec<String> = written.iter().filter(|w| !by_card.contains_key(&plain(w))).cloned().collect();
    let by_reference: HashMap<String, AccountRow> = state
        .storage
        .council_accounts_where(council, false, &unknown)
        .await?
        .into_iter()
        .map(|a| (a.reference.clone(), a))
        .collect();
    let mut found = HashMap::new();
    for w in written {
        let account =
            by_card.get(&plain(&w)).and_then(|id| by_id.get(&id.to_string())).or_else(|| by_reference.get(&w)).cloned();
        if let Some(account) = account {
            found.insert(w, account);
        }
    }
    Ok(found)
}

#[utoipa::path(
    post,
    path = "/council/statement-feeds",
    tag = "workspace",
    summary = "Import a card programme's feed for many cardholders: a statement on each cardholder's account, all or nothing; lines for cards on no account are listed and nothing is imported",
    params(Csrf),
    request_body = StatementImport,
    responses(
        (status = 201, description = "Imported and matched, account by account", body = FeedImported),
        (status = 400, description = "Problems, each naming its line and column, or cards on no account", body = ErrorBody),
        Changing
    ),
    security(("staff" = [])),
)]
pub(super) async fn import_feed(
    State(state): State<AppState>,
    Changer(staff): Changer,
    request: LaterJson<StatementImport>,
) -> Result<(StatusCode, Json<FeedImported>), ApiError> {
    let request = request.read()?;
    let (mapping, parsed) = read_file(&state, &staff, &request).await?;
    let Some(column) = mapping.holder.clone() else {
        return Err(ApiError::BadRequest(format!(
            "The format \"{}\" has no column naming the card or account of each line, so it is for one person's statement: import it on their account, or add the card column to the format.",
            request.format
        )));
    };
    let cardholders = parsed.holders.values().collect::<std::collections::HashSet<_>>().len();
    if cardholders > MOST_CARDHOLDERS {
        return Err(ApiError::BadRequest(format!(
            "This feed covers {cardholders} cards; one import takes at most {MOST_CARDHOLDERS}. Ask the provider for the feed in parts (for example by card range or by week) and import each."
        )));
    }
    let accounts = holders_accounts(&state, &staff, &parsed).await?;
    let mut unknown: Vec<String> = Vec::new();
    let mut more = 0;
    for (line_no, _) in &parsed.lines {
        let card = parsed.holders.get(line_no).map_or("", String::as_str);
        if !accounts.contains_key(card) {
            if unknown.len() < statements::MAX_PROBLEMS {
                unknown.push(format!(
                    "Line {line_no}, column \"{column}\": \"{card}\" is not the reference of an account, nor a card added to one. Add the card to the person's account (Statements, Cards on feeds)."
                ));
            } else {
                more += 1;
            }
        }
    }
    if !unknown.is_empty() {
        if more > 0 {
            unknown.push(format!("And {more} more lines for cards on no account."));
        }
        return Err(nothing_imported(unknown));
    }
    // Each account's cards (two cards of one person are one statement of theirs).
    struct Holder {
        account: AccountRow,
        cards: Vec<(String, Parsed)>,
    }
    let mut holders: Vec<Holder> = Vec::new();
    let mut at: HashMap<tally_ledger::AccountId, usize> = HashMap::new();
    for (card, part) in parsed.by_holder() {
        // Every card was found above; a card with no account here is a bug, answered as one.
        let account = accounts.get(&card).cloned().ok_or_else(|| anyhow::anyhow!("card {card:?} lost its account"))?;
        let i = *at.entry(account.account_id).or_insert_with(|| {
            holders.push(Holder { account, cards: Vec::new() });
            holders.len() - 1
        });
        holders[i].cards.push((card, part));
    }
    let mut built = Vec::new();
    let mut answer = Vec::new();
    let mut audits = Vec::new();
    for Holder { account, cards } in holders {
        let names: Vec<String> = cards.iter().map(|(card, _)| card.clone()).collect();
        let own = one_statement(cards.into_iter().map(|(_, part)| part).collect());
        let loaded = Loaded::read(&state, &account).await?;
        let (statement, rows, matched) = statement_for(&state, &staff, &loaded, &own, &request.format);
        let detail = import_detail(&statement, &rows, matched, &own);
        audits.push((account.account_id, format!("{detail}, from a feed (card {})", names.join(", "))));
        answer.push(FeedStatement {
            reference: account.reference.clone(),
            person_name: account.person_name.clone(),
            statement_id: statement.statement_id.clone(),
            card: names.join(", "),
            lines: rows.len() as i64,
            matched: matched as i64,
        });
        built.push((statement, rows));
    }
    let events: Vec<_> = audits
        .iter()
        .map(|(account_id, detail)| staff_event(&staff.row, Some(*account_id), "statement imported", detail))
        .collect();
    state.storage.create_statements(&built, &events, state.clock.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(FeedImported { statements: answer })))
}

/// One person's statement from the lines of each of their cards: one card's balances, or
/// none for several cards together.
pub(super) fn one_statement(mut parts: Vec<Parsed>) -> Parsed {
    if parts.len() == 1 {
        if let Some(one) = parts.pop() {
            return one;
        }
    }
    let mut all = Parsed { newest_first: parts.iter().any(|p| p.newest_first), ..Parsed::default() };
    for part in parts {
        all.lines.extend(part.lines);
        all.reversals.extend(part.reversals);
        all.fees.extend(part.fees);
        all.fee_lines.extend(part.fee_lines);
    }
    all.lines.sort_by_key(|(n, _)| *n);
    all.reversals.sort_unstable();
    all
}

#[utoipa::path(
    get,
    path = "/council/accounts/{reference}/cards",
    tag = "workspace",
    summary = "The cards (or bank accounts) a feed for many cardholders names this account by",
    params(Reference),
    responses(
        (status = 200, description = "The cards", body = AccountCards),
        SignedIn,
        OnAccount
    ),
    security(("staff" = [])),
)]
pub(super) async fn cards(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
) -> Result<Json<AccountCards>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    Ok(Json(account_cards(&state, &row).await?))
}

async fn account_cards(state: &AppState, row: &AccountRow) -> Result<AccountCards, ApiError> {
    let cards = state.storage.account_cards(row.account_id).await?.into_iter().map(|c| c.written).collect();
    Ok(AccountCards { cards })
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/cards",
    tag = "workspace",
    summary = "Add a card (as a feed writes it) to the account",
    params(Csrf, Reference),
    request_body = CardRequest,
    responses(
        (status = 200, description = "The account's cards", body = AccountCards),
        (status = 400, description = "Empty, too long, too many, or another account's card", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
pub(super) async fn add_card(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<CardRequest>,
) -> Result<Json<AccountCards>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let written = request.card.trim();
    let card = plain(written);
    if card.is_empty() {
        return Err(ApiError::BadRequest(
            "Card: enter the card's number or reference as the feed writes it.".to_owned(),
        ));
    }
    if written.chars().count() > LONGEST_CARD {
        return Err(ApiError::BadRequest(format!("Card: at most {LONGEST_CARD} characters.")));
    }
    let known = state.storage.account_cards(row.account_id).await?;
    if known.len() >= MOST_CARDS && !known.iter().any(|c| c.card == card) {
        return Err(ApiError::BadRequest(format!(
            "Card: an account is known by at most {MOST_CARDS} cards. Take off one that is no longer used."
        )));
    }
    let event = staff_event(&staff.row, Some(row.account_id), "card added", written);
    match state
        .storage
        .add_account_card(&staff.row.council_id, row.account_id, &card, written, &event, state.clock.now_ms())
        .await?
    {
        Ok(()) => {}
        Err(other) => {
            let owner = state
                .storage
                .council_accounts_where(&staff.row.council_id, true, &[other.to_string()])
                .await?
                .pop()
                .map_or_else(|| "another account".to_owned(), |a| a.reference);
            return Err(ApiError::BadRequest(format!(
                "Card: \"{written}\" is on {owner} already. Take it off there first if the card has changed hands."
            )));
        }
    }
    Ok(Json(account_cards(&state, &row).await?))
}

#[utoipa::path(
    post,
    path = "/council/accounts/{reference}/cards/removal",
    tag = "workspace",
    summary = "Take a card off the account",
    params(Csrf, Reference),
    request_body = CardRequest,
    responses(
        (status = 200, description = "The account's cards", body = AccountCards),
        (status = 404, description = "Not a card of this account", body = ErrorBody),
        Changing,
        OnAccount
    ),
    security(("staff" = [])),
)]
pub(super) async fn remove_card(
    State(state): State<AppState>,
    Changer(staff): Changer,
    Path(reference): Path<String>,
    request: LaterJson<CardRequest>,
) -> Result<Json<AccountCards>, ApiError> {
    let row = council_account(&state, &staff, &reference).await?;
    let request = request.read()?;
    let event = staff_event(&staff.row, Some(row.account_id), "card taken off", request.card.trim());
    if !state.storage.remove_account_card(row.account_id, &plain(&request.card), &event, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound(format!("\"{}\" is not a card of {reference}.", request.card.trim())));
    }
    Ok(Json(account_cards(&state, &row).await?))
}

//! Tables of what the API's parsing accepts and refuses, with the code each
//! refusal answers with; and that no input makes it panic.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use handoff_dispatcher::conversation::{MAX_TEXT, Placement};
use handoff_dispatcher::{AgencyId, HandoffId, HandoffKind};
use handoff_schedules::{SiteId, ZoneId};
use proptest::prelude::{ProptestConfig, any, prop_assert, proptest};

use super::{
    CancelJson, IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY, NewHandoff, NewHandoffJson, Operation,
    handoff_id, idempotency_key, json, kind, message_id, parse_json,
};
use crate::web::api::error::ApiError;

fn code<T: std::fmt::Debug>(result: Result<T, ApiError>) -> &'static str {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.code(),
    }
}

fn new_handoff(json: &str) -> Result<NewHandoff, ApiError> {
    parse_json::<NewHandoffJson>(json.as_bytes()).and_then(NewHandoffJson::parse)
}

#[test]
fn every_name_and_word_of_a_kind_is_understood_in_any_case() {
    let table = [
        ("arrest_diversion", HandoffKind::ArrestDiversion),
        ("Arrest-Diversion", HandoffKind::ArrestDiversion),
        ("arrest diversion", HandoffKind::ArrestDiversion),
        ("LEAD", HandoffKind::ArrestDiversion),
        ("diversion", HandoffKind::ArrestDiversion),
        (
            "social_contact_referral",
            HandoffKind::SocialContactReferral,
        ),
        ("social_contact", HandoffKind::SocialContactReferral),
        (" referral ", HandoffKind::SocialContactReferral),
        ("REFER", HandoffKind::SocialContactReferral),
    ];
    for (text, expected) in table {
        assert_eq!(kind(text), Ok(expected), "{text:?}");
    }
    for unknown in ["", "arrest", "social", "lead_referral", "référer", "1"] {
        assert_eq!(code(kind(unknown)), "unknown_kind", "{unknown:?}");
    }
}

#[test]
fn a_request_becomes_the_officers_words_with_its_place() {
    let parsed = new_handoff(
        r#"{"officer": "rivera", "kind": "lead", "location": " 5th & Main ",
            "notes": "retail theft, calm", "site": "allegheny", "zone": "zone-1"}"#,
    )
    .unwrap();
    assert_eq!(parsed.officer.as_str(), "rivera");
    assert_eq!(parsed.kind, HandoffKind::ArrestDiversion);
    assert_eq!(parsed.text, "5th & Main, retail theft, calm");
    assert_eq!(
        parsed.placement.site.as_ref().map(SiteId::as_str),
        Some("allegheny")
    );
    assert_eq!(
        parsed.placement.zone.as_ref().map(ZoneId::as_str),
        Some("zone-1")
    );
    // Without notes, site or zone: the location alone, placed by its words.
    let bare =
        new_handoff(r#"{"officer":"rivera","kind":"refer","location":"Pine St shelter","notes":"  ","zone":""}"#)
            .unwrap();
    assert_eq!(bare.text, "Pine St shelter");
    assert_eq!(bare.placement, Placement::default());
}

#[test]
fn a_request_that_cannot_be_read_is_refused_with_a_code_saying_why() {
    let long = "x".repeat(MAX_TEXT + 1);
    let too_long = format!(r#"{{"officer":"rivera","kind":"lead","location":"{long}"}}"#);
    // (body, code)
    let table: [(&str, &str); 13] = [
        ("", "malformed_json"),
        ("{", "malformed_json"),
        ("officer=rivera", "malformed_json"),
        ("[]", "invalid_field"),
        (
            r#"{"kind":"lead","location":"5th & Main"}"#,
            "invalid_field",
        ),
        (
            r#"{"officer":"rivera","kind":"lead","location":"5th","extra":1}"#,
            "invalid_field",
        ),
        (
            r#"{"officer":7,"kind":"lead","location":"5th & Main"}"#,
            "invalid_field",
        ),
        (
            r#"{"officer":"Rivera!","kind":"lead","location":"5th & Main"}"#,
            "invalid_field",
        ),
        (
            r#"{"officer":"rivera","kind":"burglary","location":"5th & Main"}"#,
            "unknown_kind",
        ),
        (
            r#"{"officer":"rivera","kind":"lead","location":"  ,. "}"#,
            "location_required",
        ),
        (
            r#"{"officer":"rivera","kind":"lead","location":"5th","site":"Not A Site"}"#,
            "invalid_field",
        ),
        (
            r#"{"officer":"rivera","kind":"lead","location":"5th","zone":"zone 1"}"#,
            "invalid_field",
        ),
        (&too_long, "too_long"),
    ];
    for (body, expected) in table {
        assert_eq!(code(new_handoff(body)), expected, "{body}");
    }
}

#[test]
fn a_body_must_be_json_when_there_is_one() {
    let mut typed = HeaderMap::new();
    typed.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let mut form = HeaderMap::new();
    form.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let body = |text: &'static str| Ok(Bytes::from_static(text.as_bytes()));
    let cancel = |headers: &HeaderMap, text: &'static str, required: bool| {
        json::<CancelJson>(headers, body(text), required)
    };
    assert!(matches!(cancel(&typed, "{}", true), Ok(Some(_))));
    assert!(matches!(cancel(&typed, "", false), Ok(None)));
    // An empty body needs no type; a body does.
    assert!(matches!(cancel(&HeaderMap::new(), "", false), Ok(None)));
    assert_eq!(
        code(cancel(&HeaderMap::new(), "{}", false)),
        "unsupported_media_type"
    );
    assert_eq!(
        code(cancel(&form, "officer=rivera", true)),
        "unsupported_media_type"
    );
    assert_eq!(code(cancel(&typed, "", true)), "malformed_json");
}

#[test]
fn an_idempotency_key_is_short_printable_ascii() {
    let with = |value: &[u8]| {
        let mut headers = HeaderMap::new();
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_bytes(value).unwrap());
        headers
    };
    assert_eq!(idempotency_key(&HeaderMap::new()), Ok(None));
    let uuid = b"6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f";
    assert_eq!(
        idempotency_key(&with(uuid)),
        Ok(Some("6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f"))
    );
    assert!(idempotency_key(&with(&[b'k'; MAX_IDEMPOTENCY_KEY])).is_ok());
    for bad in [
        &b""[..],
        b"two words",
        b"caf\xc3\xa9",
        b"\xff",
        &[b'k'; MAX_IDEMPOTENCY_KEY + 1],
    ] {
        assert_eq!(
            code(idempotency_key(&with(bad))),
            "invalid_idempotency_key",
            "{bad:?}"
        );
    }
}

#[test]
fn a_message_id_is_the_agencys_own_and_the_operations_own() {
    let metro = AgencyId::parse("metro-pd").unwrap();
    let sheriff = AgencyId::parse("county-sheriff").unwrap();
    let open = message_id(&metro, Operation::Open, Some("cad-4711")).unwrap();
    assert_eq!(open.as_str(), "api:metro-pd:open:cad-4711");
    assert_ne!(
        open,
        message_id(&metro, Operation::Cancel, Some("cad-4711")).unwrap()
    );
    assert_ne!(
        open,
        message_id(&sheriff, Operation::Open, Some("cad-4711")).unwrap()
    );
    // Without a key every call is a message of its own.
    assert_ne!(
        message_id(&metro, Operation::Cancel, None).unwrap(),
        message_id(&metro, Operation::Cancel, None).unwrap()
    );
    let longest = "k".repeat(MAX_IDEMPOTENCY_KEY);
    let agency = AgencyId::parse(&"a".repeat(64)).unwrap();
    assert!(message_id(&agency, Operation::Cancel, Some(&longest)).is_ok());
}

#[test]
fn a_hand_off_number_in_a_path_is_digits_only() {
    assert_eq!(handoff_id("1001"), Ok(HandoffId::new(1001)));
    for bad in [
        "",
        "#1001",
        " 1001",
        "10a1",
        "-1",
        "1234567890",
        "4294967296",
    ] {
        assert_eq!(code(handoff_id(bad)), "handoff_not_found", "{bad:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn no_body_makes_the_parser_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_json::<NewHandoffJson>(&bytes).and_then(NewHandoffJson::parse);
        let _ = parse_json::<CancelJson>(&bytes);
    }

    #[test]
    fn no_field_value_makes_the_parser_panic(
        officer in ".{0,20}", kind_text in ".{0,20}", location in ".{0,40}",
        notes in ".{0,20}", site in ".{0,12}", zone in ".{0,12}",
    ) {
        let body = serde_json::json!({
            "officer": officer, "kind": kind_text, "location": location,
            "notes": notes, "site": site, "zone": zone,
        });
        let parsed = parse_json::<NewHandoffJson>(body.to_string().as_bytes())
            .and_then(NewHandoffJson::parse);
        if let Ok(request) = parsed {
            prop_assert!(request.text.chars().count() <= MAX_TEXT);
        }
    }
}

//! The provider's webhook forms: decoding, the fields of a text and of a status
//! callback refused when missing, repeated or unusable, and no input that panics.

use handoff_dispatcher::PhoneNumber;
use proptest::collection::vec;
use proptest::prelude::{
    Just, ProptestConfig, Strategy, any, prop, prop_assert, prop_assert_eq, prop_oneof, proptest,
};

use super::{FormError, MAX_TEXT_CHARS, Status, decode, inbound, status};

/// A form's pairs from literals (for the tests of every form's reader).
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn encode(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

const TEXT: [(&str, &str); 4] = [
    ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("From", "+14125550101"),
    ("To", "+14125550100"),
    ("Body", "LEAD 5th & Main"),
];

#[test]
fn a_providers_form_decodes_to_its_fields() {
    let body = "MessageSid=SM01&From=%2B14125550101&To=%2B14125550100&Body=LEAD+5th+%26+Main%2C+caf%C3%A9&NumMedia=0";
    let decoded = decode(body.as_bytes()).unwrap();
    let text = inbound(&decoded).unwrap();
    assert_eq!(text.sid.as_str(), "SM01");
    assert_eq!(text.from.as_str(), "+14125550101");
    assert_eq!(
        text.to.map(|to| to.as_str().to_owned()).as_deref(),
        Some("+14125550100")
    );
    assert_eq!(text.body, "LEAD 5th & Main, café");
}

#[test]
fn malformed_forms_are_refused_saying_what_is_wrong() {
    let cases: [(&[u8], FormError); 7] = [
        (b"Body=%", FormError::BadEscape(5)),
        (b"Body=%4", FormError::BadEscape(5)),
        (b"Body=ok&From=%zz", FormError::BadEscape(13)),
        (b"%G1=x", FormError::BadEscape(0)),
        (b"Body=%FF", FormError::NotUtf8),
        (b"Body=\xC3", FormError::NotUtf8),
        (b"Body=%C3%28", FormError::NotUtf8),
    ];
    for (body, expected) in cases {
        assert_eq!(
            decode(body),
            Err(expected),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

/// A change to a provider's form.
type Edit = dyn Fn(&mut Vec<(String, String)>);

#[test]
fn fields_missing_repeated_oversized_or_unusable_are_refused() {
    let with = |edit: &Edit| {
        let mut form = pairs(&TEXT);
        edit(&mut form);
        inbound(&form).map(|_| ()).map_err(|e| e.to_string())
    };
    let cases: [(&Edit, &str); 7] = [
        (
            &|f| f.retain(|(k, _)| k != "From"),
            "MessageSid, From and Body are required",
        ),
        (
            &|f| f.retain(|(k, _)| k != "Body"),
            "MessageSid, From and Body are required",
        ),
        (
            &|f| f.push(("From".into(), "+14125550102".into())),
            "From is given more than once",
        ),
        (
            &|f| f.push(("Body".into(), "again".into())),
            "Body is given more than once",
        ),
        (
            &|f| f[3].1 = "x".repeat(MAX_TEXT_CHARS + 1),
            "Body is longer than 1600 characters",
        ),
        (
            &|f| f[1].1 = "+1".repeat(10_000),
            "From is not a phone number",
        ),
        (
            &|f| f[0].1 = String::new(),
            "MessageSid must be a non-empty id",
        ),
    ];
    for (edit, expected) in cases {
        assert_eq!(with(edit), Err(expected.to_owned()));
    }
    assert_eq!(with(&|f| f[3].1 = "é".repeat(MAX_TEXT_CHARS)), Ok(()));
    assert_eq!(with(&|f| f[2].1 = "not a number".into()), Ok(()));
}

#[test]
fn a_status_callback_needs_its_sid_and_status_once() {
    let form = pairs(&[
        ("MessageSid", "SM1"),
        ("MessageStatus", "failed"),
        ("ErrorCode", "30003"),
    ]);
    assert_eq!(
        status(&form),
        Ok(Status {
            sid: "SM1",
            status: "failed",
            error_code: Some("30003")
        })
    );
    let mut twice = form.clone();
    twice.push(("MessageStatus".into(), "delivered".into()));
    assert_eq!(status(&twice), Err(FormError::Repeated("MessageStatus")));
    assert_eq!(
        status(&form[..1]).map_err(|e| e.to_string()),
        Err("MessageSid and MessageStatus are required".to_owned())
    );
}

/// The number of cases to run: `default`, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Bytes that look like a form more often than random bytes do.
fn form_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => "[A-Za-z]{1,10}".prop_map(String::into_bytes),
        2 => Just(b"=".to_vec()),
        2 => Just(b"&".to_vec()),
        1 => Just(b"+".to_vec()),
        2 => "%[0-9A-Fa-f]{2}".prop_map(String::into_bytes),
        1 => "%[0-9A-Za-z%]{0,2}".prop_map(String::into_bytes),
        1 => vec(any::<u8>(), 1..6),
        1 => prop::sample::select(vec!["MessageSid", "From", "To", "Body", "+14125550101", "%2B1412555010"])
            .prop_map(|s| s.as_bytes().to_vec()),
    ];
    vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// Names and values, the fields handoff reads among them.
fn field_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        3 => prop::sample::select(vec!["MessageSid", "From", "To", "Body", "MessageStatus", "ErrorCode"]).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    let value = prop_oneof![
        2 => prop::sample::select(vec!["SM01", "+14125550101", "+1 412 555 0102", "", "delivered", "failed"]).prop_map(str::to_owned),
        2 => any::<String>(),
        1 => (1usize..3000).prop_map(|n| "a".repeat(n)),
    ];
    vec((name, value), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(800), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_decode_to_pairs_or_a_clear_refusal(body in prop_oneof![form_bytes(), vec(any::<u8>(), 0..200)]) {
        match decode(&body) {
            Ok(decoded) => {
                // What is accepted reads as every form decoder reads it.
                let lenient: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
                prop_assert_eq!(decoded, lenient);
            }
            Err(error) => {
                prop_assert!(matches!(error, FormError::BadEscape(_) | FormError::NotUtf8));
                if let FormError::BadEscape(at) = error {
                    prop_assert_eq!(body.get(at), Some(&b'%'));
                }
            }
        }
    }

    #[test]
    fn every_encoded_form_decodes_to_what_was_encoded(form in field_pairs()) {
        prop_assert_eq!(decode(encode(&form).as_bytes()), Ok(form));
    }

    #[test]
    fn any_fields_give_a_text_or_a_clear_refusal(form in field_pairs()) {
        let count = |name: &str| form.iter().filter(|(k, _)| k == name).count();
        match inbound(&form) {
            Ok(text) => {
                for name in ["MessageSid", "From", "Body"] {
                    prop_assert_eq!(count(name), 1, "{}", name);
                }
                prop_assert!(count("To") <= 1);
                prop_assert!(text.body.chars().count() <= MAX_TEXT_CHARS);
                prop_assert!(PhoneNumber::parse(text.from.as_str()).is_ok());
            }
            Err(error) => {
                let message = error.to_string();
                prop_assert!(!message.is_empty() && !message.contains('\n'));
            }
        }
        match status(&form) {
            Ok(found) => {
                prop_assert_eq!(count("MessageSid"), 1);
                prop_assert_eq!(count("MessageStatus"), 1);
                prop_assert!(count("ErrorCode") <= 1);
                prop_assert!(form.iter().any(|(k, v)| k == "MessageStatus" && v == found.status));
            }
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }
}

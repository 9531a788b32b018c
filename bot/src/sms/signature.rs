//! Twilio request signatures: X-Twilio-Signature, computed and checked.
//!
//! The scheme (Twilio's "Webhooks security"): take the full public URL the provider
//! posted to (scheme, host, path and query string, exactly as configured), append
//! every POST parameter as its name followed by its value, the parameters sorted by
//! name in byte order (a name that repeats: its values sorted too), compute
//! HMAC-SHA1 of that string keyed with the account's auth token, and base64-encode
//! the 20 bytes.
//!
//! Notes:
//! - Byte order of UTF-8 strings is code point order, which is what Twilio's own
//!   helpers sort by (Python `sorted` on `str`).
//! - A pair repeated exactly (same name, same value) is kept twice here; Twilio's
//!   Python helper would count it once. Twilio's own webhooks never repeat a pair
//!   (media come as `MediaUrl0`, `MediaUrl1`, ...), so this does not arise.
//! - The URL is used as given: the caller passes the public URL the provider was
//!   told to call, not the address the request arrived on behind a proxy.
//! - Verification compares in constant time, so a forger learns nothing from how
//!   long a refusal takes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

type HmacSha1 = Hmac<Sha1>;

/// The raw HMAC-SHA1 of the signed string, or `None` if the MAC cannot be keyed
/// (HMAC accepts keys of every length, so this does not happen).
fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Option<Vec<u8>> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Tuples compare by name first, then by value: "sorted by name, then value".
    sorted.sort();
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    Some(mac.finalize().into_bytes().to_vec())
}

/// The `X-Twilio-Signature` of a form-encoded POST of `params` to `url`.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    mac(auth_token, url, params).map_or_else(String::new, |bytes| STANDARD.encode(bytes))
}

/// Whether `signature` is the `X-Twilio-Signature` of a POST of `params` to `url`,
/// compared in constant time. An empty signature never verifies.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let expected = sign(auth_token, url, params);
    if expected.is_empty() || signature.is_empty() {
        return false;
    }
    // `ct_eq` on slices of different lengths is false (and the length of a
    // signature is public anyway: always 28 characters).
    expected.as_bytes().ct_eq(signature.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::form::tests::pairs;

    const DOC_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    /// Twilio's documented example ("Validating requests are coming from Twilio"),
    /// whose caller is +14158675310.
    ///
    /// Checked with Python's hmac module:
    /// python3 -c "import hmac,hashlib,base64; p={'CallSid':'CA1234567890ABCDE','Caller':'+14158675310','Digits':'1234','From':'+14158675310','To':'+18005551212'}; s='https://mycompany.com/myapp.php?foo=1&bar=2'+''.join(k+p[k] for k in sorted(p)); print(base64.b64encode(hmac.new(b'12345', s.encode(), hashlib.sha1).digest()).decode())"
    /// → GvWf1cFY/Q7PnoempGyD5oXAezc=
    /// and the same with Twilio's helper (twilio 9.13.0):
    /// `RequestValidator('12345').compute_signature(url, params)`.
    #[test]
    fn twilio_documented_example() {
        let params = pairs(&[
            ("Digits", "1234"),
            ("To", "+18005551212"),
            ("From", "+14158675310"),
            ("Caller", "+14158675310"),
            ("CallSid", "CA1234567890ABCDE"),
        ]);
        assert_eq!(
            sign("12345", DOC_URL, &params),
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        );
        assert!(verify(
            "12345",
            DOC_URL,
            &params,
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        ));
    }

    /// The same request with caller +12349013030: a different signature, which shows
    /// GvWf1cFY/... belongs to +14158675310 only.
    ///
    /// python3 -c "import hmac,hashlib,base64; p={'CallSid':'CA1234567890ABCDE','Caller':'+12349013030','Digits':'1234','From':'+12349013030','To':'+18005551212'}; s='https://mycompany.com/myapp.php?foo=1&bar=2'+''.join(k+p[k] for k in sorted(p)); print(base64.b64encode(hmac.new(b'12345', s.encode(), hashlib.sha1).digest()).decode())"
    /// → 0/KCTR6DLpKmkAf8muzZqo1nDgQ= (Twilio's RequestValidator agrees)
    #[test]
    fn documented_example_with_another_caller() {
        let params = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        assert_eq!(
            sign("12345", DOC_URL, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(!verify(
            "12345",
            DOC_URL,
            &params,
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        ));
    }

    const URL2: &str = "https://handoff.example.org/sms/inbound?site=north";

    fn unicode_form() -> Vec<(String, String)> {
        pairs(&[
            ("To", "+14125550199"),
            ("Body", "Café ✅ 5th & Main, “ok”"),
            ("From", "+14125550101"),
            ("MediaUrl", "https://x/b"),
            ("MediaUrl", "https://x/a"),
            ("MediaUrl", "https://x/ä"),
            ("NumMedia", "3"),
            ("ÄName", "é"),
        ])
    }

    /// Unicode names and values, and a repeated name whose values are out of order.
    /// Signed string: https://handoff.example.org/sms/inbound?site=northBodyCafé ✅ 5th
    /// & Main, “ok”From+14125550101MediaUrlhttps://x/aMediaUrlhttps://x/bMediaUrl
    /// https://x/äNumMedia3To+14125550199ÄNameé
    ///
    /// python3 -c "import hmac,hashlib,base64; p=[('To','+14125550199'),('Body','Café ✅ 5th & Main, “ok”'),('From','+14125550101'),('MediaUrl','https://x/b'),('MediaUrl','https://x/a'),('MediaUrl','https://x/ä'),('NumMedia','3'),('ÄName','é')]; s='https://handoff.example.org/sms/inbound?site=north'+''.join(k+v for k,v in sorted(p)); print(base64.b64encode(hmac.new(b's3cr3t', s.encode(), hashlib.sha1).digest()).decode())"
    /// → GRrNZ9Yn2G0hsXvzd1knDDj+j7Y=
    /// (Twilio's RequestValidator, given the pairs as a MultiDict, agrees.)
    #[test]
    fn unicode_and_repeated_names() {
        let params = unicode_form();
        assert_eq!(
            sign("s3cr3t", URL2, &params),
            "GRrNZ9Yn2G0hsXvzd1knDDj+j7Y="
        );
        // Order of arrival does not matter.
        let mut reversed = params.clone();
        reversed.reverse();
        assert!(verify(
            "s3cr3t",
            URL2,
            &reversed,
            "GRrNZ9Yn2G0hsXvzd1knDDj+j7Y="
        ));
    }

    #[test]
    fn wrong_token_tampered_param_or_wrong_url_fail() {
        let params = unicode_form();
        let good = sign("s3cr3t", URL2, &params);
        assert!(verify("s3cr3t", URL2, &params, &good));
        assert!(!verify("s3cr3T", URL2, &params, &good));
        assert!(!verify(
            "s3cr3t",
            "https://handoff.example.org/sms/inbound",
            &params,
            &good
        ));
        assert!(!verify(
            "s3cr3t",
            "http://handoff.example.org/sms/inbound?site=north",
            &params,
            &good
        ));

        let mut tampered = params.clone();
        tampered[1].1 = "Cafe ✅ 5th & Main, “ok”".to_owned();
        assert!(!verify("s3cr3t", URL2, &tampered, &good));

        let mut extra = params.clone();
        extra.push(("ErrorCode".to_owned(), String::new()));
        assert!(!verify("s3cr3t", URL2, &extra, &good));

        let mut dropped = params;
        dropped.pop();
        assert!(!verify("s3cr3t", URL2, &dropped, &good));
    }

    #[test]
    fn empty_or_malformed_signatures_fail() {
        let params = unicode_form();
        assert!(!verify("s3cr3t", URL2, &params, ""));
        assert!(!verify(
            "s3cr3t",
            URL2,
            &params,
            "GRrNZ9Yn2G0hsXvzd1knDDj+j7Y"
        ));
        assert!(!verify(
            "s3cr3t",
            URL2,
            &params,
            "GRrNZ9Yn2G0hsXvzd1knDDj+j7Y=="
        ));
        assert!(!verify(
            "s3cr3t",
            URL2,
            &params,
            "grrnz9yn2g0hsxvzd1knddj+j7y="
        ));
    }

    #[test]
    fn a_form_without_parameters_signs_the_url_alone() {
        // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b'12345', b'https://mycompany.com/myapp.php?foo=1&bar=2', hashlib.sha1).digest()).decode())"
        // → zYQTYrRWXE7LtzbG4PfP7/bkkGo=
        assert_eq!(sign("12345", DOC_URL, &[]), "zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
        assert!(verify(
            "12345",
            DOC_URL,
            &[],
            "zYQTYrRWXE7LtzbG4PfP7/bkkGo="
        ));
    }

    /// The number of cases to run: `default`, or `PROPTEST_CASES` for a longer hunt.
    fn cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    }

    fn params() -> impl Strategy<Value = Vec<(String, String)>> {
        let name = prop_oneof![
            3 => proptest::sample::select(vec!["From", "To", "Body", "MessageSid", "NumMedia"]).prop_map(str::to_owned),
            1 => any::<String>(),
        ];
        proptest::collection::vec((name, any::<String>()), 0..8)
    }

    /// A change that makes the signed string longer or shorter. (Twilio's scheme
    /// joins names and values with nothing between them, so `ab=c` and `a=bc` sign
    /// alike: moving characters across a boundary is the provider's weakness, not
    /// one a verifier can close, and is left out here.)
    #[derive(Debug, Clone)]
    enum Tamper {
        AppendToValue(usize, char),
        Drop(usize),
        Add(String, String),
        AppendToUrl(char),
        Signature(usize, char),
    }

    fn tamper() -> impl Strategy<Value = Tamper> {
        prop_oneof![
            (any::<usize>(), any::<char>()).prop_map(|(i, c)| Tamper::AppendToValue(i, c)),
            any::<usize>().prop_map(Tamper::Drop),
            ("\\PC{1,10}", any::<String>()).prop_map(|(n, v)| Tamper::Add(n, v)),
            any::<char>().prop_map(Tamper::AppendToUrl),
            (any::<usize>(), any::<char>()).prop_map(|(i, c)| Tamper::Signature(i, c)),
        ]
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(300), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_url_params_and_signature_give_an_answer(
            token in any::<String>(), url in any::<String>(), params in params(), signature in any::<String>(),
        ) {
            prop_assert_eq!(sign(&token, &url, &params).len(), 28);
            let _ = verify(&token, &url, &params, &signature);
        }

        #[test]
        fn a_signature_verifies_in_any_order_of_its_params(
            token in any::<String>(), url in any::<String>(), params in params(), seed in any::<u64>(),
        ) {
            let signature = sign(&token, &url, &params);
            let mut shuffled = params.clone();
            let len = shuffled.len().max(1) as u64;
            for i in 0..shuffled.len() {
                let j = ((seed.wrapping_mul(i as u64 + 1)) % len) as usize;
                shuffled.swap(i, j);
            }
            prop_assert!(verify(&token, &url, &shuffled, &signature));
        }

        #[test]
        fn a_valid_signature_fails_once_the_request_is_changed(
            token in any::<String>(), url in any::<String>(), params in params(), change in tamper(),
        ) {
            let signature = sign(&token, &url, &params);
            let (mut params, mut url, mut signature) = (params, url, signature);
            match change {
                Tamper::AppendToValue(i, c) => {
                    prop_assume!(!params.is_empty());
                    let at = i % params.len();
                    params[at].1.push(c);
                }
                Tamper::Drop(i) => {
                    prop_assume!(!params.is_empty());
                    let at = i % params.len();
                    let (name, value) = params.remove(at);
                    prop_assume!(!(name.is_empty() && value.is_empty()));
                }
                Tamper::Add(name, value) => params.push((name, value)),
                Tamper::AppendToUrl(c) => url.push(c),
                Tamper::Signature(i, c) => {
                    let mut chars: Vec<char> = signature.chars().collect();
                    let at = i % chars.len();
                    prop_assume!(chars[at] != c);
                    chars[at] = c;
                    signature = chars.into_iter().collect();
                }
            }
            prop_assert!(!verify(&token, &url, &params, &signature));
        }
    }
}

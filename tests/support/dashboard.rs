//! The dashboard from outside: a program with a user of each role, and a small
//! HTTP client that keeps cookies and logs in through the form as a browser would
//! (the form's token paired with its cookie).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::redirect::Policy;

/// A user of each role, with their passwords.
pub const VIEWER: (&str, &str) = ("vic", "vic's password, long enough");
pub const MANAGER: (&str, &str) = ("pat", "pat's password, long enough");
pub const ADMIN: (&str, &str) = ("ada", "ada's password, long enough");

/// The `[dashboard]` section with the three users (hashed once per test binary:
/// each hash takes a moment, by design).
pub fn dashboard_section() -> &'static str {
    static SECTION: OnceLock<String> = OnceLock::new();
    SECTION.get_or_init(|| {
        let mut text = String::from("\n[dashboard]\narrival_target = \"45m\"\n");
        for ((name, password), role) in [VIEWER, MANAGER, ADMIN]
            .into_iter()
            .zip(["viewer", "manager", "admin"])
        {
            let hash = handoff_bot::web::hash_password(password)
                .unwrap_or_else(|e| panic!("hashing {name}'s password: {e}"));
            text.push_str(&format!(
                "\n[[dashboard.users]]\nname = \"{name}\"\nrole = \"{role}\"\npassword_hash = \"{hash}\"\n"
            ));
        }
        text
    })
}

/// An HTTP client that keeps the server's cookies and follows no redirects.
pub struct WebClient {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl WebClient {
    pub fn new(base: &str) -> WebClient {
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("HTTP client: {e}"));
        WebClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading a response: {e}"));
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        self.read(response).await
    }

    /// Posts a form, with extra headers (an `Origin`, say).
    pub async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        self.read(response).await
    }

    /// Opens the login form and posts it with `user` and `password`.
    pub async fn login(&mut self, user: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let token = hidden(&form.body, "csrf");
        self.post(
            "/login",
            &[
                ("user", user),
                ("password", password),
                ("csrf", &token),
                ("next", "/dashboard"),
            ],
            &[],
        )
        .await
    }

    /// The CSRF token of the logged-in session, from the logout form of a page.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/dashboard").await;
        hidden(&page.body, "csrf")
    }
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in the page:\n{html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

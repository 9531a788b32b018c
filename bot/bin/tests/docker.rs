//! The container deployment in `docker/`, held to the binary and the documentation
//! without a Docker engine: compose.yaml parses and has the shape README.md
//! promises, every environment variable the deployment names is documented and
//! read by whoever it is given to, the configuration it mounts passes
//! `handoff check-config`, and the Dockerfile builds this package's `handoff`.
//!
//! The rule for environment variables, exactly:
//! - the variables compose substitutes (`${NAME}`, `${NAME:-x}`, `${NAME:?x}`, ...
//!   in any value of compose.yaml) are exactly the keys of docker/.env.example;
//! - every variable the deployment names (those substituted, the keys of each
//!   service's `environment:`, the Dockerfile's `ENV`) is a row of the table under
//!   "### Environment variables" in README.md's "## Deployment", and every row is
//!   one of them;
//! - every variable given to the `handoff` container (its `environment:` and the
//!   Dockerfile's `ENV`) is one handoff reads: a clap `env = "..."` or a
//!   `std::env::var("...")` in the sources, a `*_env` value of the configuration
//!   compose mounts, or RUST_LOG (tracing's `EnvFilter::try_from_default_env`);
//! - every `*_env` of that configuration is given to the `handoff` container.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn compose() -> Yaml {
    let docs = YamlLoader::load_from_str(&read("docker/compose.yaml"))
        .unwrap_or_else(|e| panic!("docker/compose.yaml is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "compose.yaml is one document");
    docs.into_iter()
        .next()
        .unwrap_or_else(|| panic!("compose.yaml is empty"))
}

fn service<'a>(compose: &'a Yaml, name: &str) -> &'a Yaml {
    let service = &compose["services"][name];
    assert!(
        !service.is_badvalue(),
        "compose.yaml has no service `{name}`"
    );
    service
}

fn strings(list: &Yaml) -> Vec<&str> {
    list.as_vec()
        .map(|items| items.iter().filter_map(Yaml::as_str).collect())
        .unwrap_or_default()
}

/// A service's `environment:`, as a map (compose also takes a list of `K=V`).
fn environment(service: &Yaml) -> BTreeMap<String, String> {
    let env = &service["environment"];
    if let Some(map) = env.as_hash() {
        map.iter()
            .map(|(k, v)| {
                let key = k.as_str().unwrap_or_else(|| panic!("key {k:?}")).to_owned();
                let value = match v {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Null => String::new(),
                    other => panic!("{key} = {other:?}"),
                };
                (key, value)
            })
            .collect()
    } else {
        strings(env)
            .into_iter()
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (item.to_owned(), String::new()),
            })
            .collect()
    }
}

/// One `${...}` (or `$NAME`) of compose's interpolation.
#[derive(Debug)]
struct Substitution {
    name: String,
    /// `-` or `?`, with `:` when an empty value counts as unset.
    operator: String,
    argument: String,
}

/// A piece of a value as compose reads it.
#[derive(Debug)]
enum Part {
    Literal(String),
    Substituted(Substitution),
}

/// Splits `text` into literal pieces and substitutions, as compose reads it (`$$`
/// is a literal `$`).
fn substitutions(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        literal.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            literal.push('$');
            rest = after;
        } else if let Some(braced) = rest.strip_prefix('{') {
            let end = braced
                .find('}')
                .unwrap_or_else(|| panic!("unclosed ${{ in {text:?}"));
            let inner = &braced[..end];
            let name_end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, tail) = inner.split_at(name_end);
            let operator_length = match tail.chars().next() {
                None => 0,
                Some(':') => 2,
                Some('-' | '?' | '+') => 1,
                Some(other) => panic!("`{other}` after ${{{name} in {text:?}"),
            };
            assert!(
                tail.len() >= operator_length,
                "a lone `:` after ${{{name} in {text:?}"
            );
            let (operator, argument) = tail.split_at(operator_length);
            parts.push(Part::Literal(std::mem::take(&mut literal)));
            parts.push(Part::Substituted(Substitution {
                name: name.to_owned(),
                operator: operator.to_owned(),
                argument: argument.to_owned(),
            }));
            rest = &braced[end + 1..];
        } else {
            let name_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            assert!(name_end > 0, "a lone $ in {text:?}: write $$");
            parts.push(Part::Literal(std::mem::take(&mut literal)));
            parts.push(Part::Substituted(Substitution {
                name: rest[..name_end].to_owned(),
                operator: String::new(),
                argument: String::new(),
            }));
            rest = &rest[name_end..];
        }
    }
    literal.push_str(rest);
    parts.push(Part::Literal(literal));
    parts
}

/// `text` with compose's substitutions made from `env`.
fn interpolate(text: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for part in substitutions(text) {
        match part {
            Part::Literal(literal) => out.push_str(&literal),
            Part::Substituted(s) => {
                let value = env.get(&s.name).map(String::as_str);
                // With `:`, an empty value counts as unset.
                let colon = s.operator.starts_with(':');
                let set = value.is_some_and(|v| !(colon && v.is_empty()));
                match (s.operator.trim_start_matches(':'), set) {
                    ("", _) | ("-" | "?", true) => out.push_str(value.unwrap_or("")),
                    ("-", false) | ("+", true) => out.push_str(&s.argument),
                    ("+", false) => {}
                    ("?", false) => panic!("{} is required: {}", s.name, s.argument),
                    (other, _) => panic!("unknown operator {other:?}"),
                }
            }
        }
    }
    out
}

/// Every string in a YAML tree, keys included.
fn all_strings<'a>(yaml: &'a Yaml, into: &mut Vec<&'a str>) {
    match yaml {
        Yaml::String(s) => into.push(s),
        Yaml::Array(items) => items.iter().for_each(|i| all_strings(i, into)),
        Yaml::Hash(map) => map.iter().for_each(|(k, v)| {
            all_strings(k, into);
            all_strings(v, into);
        }),
        _ => {}
    }
}

fn substituted_names(compose: &Yaml) -> BTreeSet<String> {
    let mut texts = Vec::new();
    all_strings(compose, &mut texts);
    texts
        .into_iter()
        .flat_map(substitutions)
        .filter_map(|part| match part {
            Part::Substituted(s) => Some(s.name),
            Part::Literal(_) => None,
        })
        .collect()
}

/// The names docker/.env.example sets.
fn env_example() -> BTreeSet<String> {
    read("docker/.env.example")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, _) = line
                .split_once('=')
                .unwrap_or_else(|| panic!(".env.example: `{line}` is not NAME=value"));
            name.trim().to_owned()
        })
        .collect()
}

/// The Dockerfile's instructions: continuation lines joined, comments dropped,
/// each as (INSTRUCTION, arguments).
fn dockerfile() -> Vec<(String, String)> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in read("docker/Dockerfile").lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (word, rest) = current.split_once(' ').unwrap_or((&current, ""));
                instructions.push((word.to_uppercase(), rest.trim().to_owned()));
                current.clear();
            }
        }
    }
    instructions
}

fn instructions(name: &str) -> Vec<String> {
    dockerfile()
        .into_iter()
        .filter(|(word, _)| word == name)
        .map(|(_, args)| args)
        .collect()
}

/// The stage of the image that runs: the instructions after the last FROM.
fn runtime_stage() -> Vec<(String, String)> {
    let all = dockerfile();
    let last_from = all
        .iter()
        .rposition(|(word, _)| word == "FROM")
        .unwrap_or_else(|| panic!("no FROM"));
    all[last_from..].to_vec()
}

fn runtime(name: &str) -> Vec<String> {
    runtime_stage()
        .into_iter()
        .filter(|(word, _)| word == name)
        .map(|(_, args)| args)
        .collect()
}

/// The names the Dockerfile's `ENV` lines set (`ENV A=1 B=2` or `ENV A 1`).
fn dockerfile_env() -> BTreeSet<String> {
    instructions("ENV")
        .iter()
        .flat_map(|args| match args.contains('=') {
            true => args
                .split_whitespace()
                .filter_map(|pair| pair.split_once('=').map(|(k, _)| k.to_owned()))
                .collect::<Vec<_>>(),
            false => args.split_whitespace().take(1).map(str::to_owned).collect(),
        })
        .collect()
}

/// The `cargo build` commands of the Dockerfile's RUN lines.
fn cargo_builds() -> Vec<Vec<String>> {
    instructions("RUN")
        .iter()
        .flat_map(|run| run.split("&&"))
        .map(|command| {
            command
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|words| words.len() > 1 && words[0] == "cargo" && words[1] == "build")
        .collect()
}

/// The rows of the table under "### Environment variables" in "## Deployment".
fn documented_variables() -> BTreeSet<String> {
    let readme = read("README.md");
    let deployment = readme
        .split("\n## ")
        .find(|section| section.starts_with("Deployment"))
        .unwrap_or_else(|| panic!("README.md has no \"## Deployment\""));
    let variables = deployment
        .split("\n### ")
        .find(|part| part.starts_with("Environment variables"))
        .unwrap_or_else(|| panic!("\"## Deployment\" has no \"### Environment variables\""));
    let rows: BTreeSet<String> = variables
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| {
            let cell = line.trim_start_matches("| `");
            cell.split_once('`').map(|(name, _)| name.to_owned())
        })
        .collect();
    assert!(
        !rows.is_empty(),
        "the environment variables table has no rows"
    );
    rows
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, into: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The string literals that follow `marker` in `text`.
fn literals_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            rest.split_once('"').map(|(literal, _)| literal)
        })
        .collect()
}

/// The path of the configuration compose mounts for handoff, in the repository.
fn mounted_config(compose: &Yaml) -> (PathBuf, String) {
    let handoff = service(compose, "handoff");
    let in_container = environment(handoff)
        .get("HANDOFF_CONFIG")
        .cloned()
        .unwrap_or_else(|| panic!("handoff's environment names no HANDOFF_CONFIG"));
    for volume in strings(&handoff["volumes"]) {
        let parts: Vec<&str> = volume.split(':').collect();
        if let [source, target, ..] = parts[..]
            && let Some(file) = in_container.strip_prefix(&format!("{target}/"))
            && source.starts_with('.')
        {
            let path = repo().join("docker").join(source).join(file);
            return (path, in_container);
        }
    }
    panic!("no bind mount of compose.yaml holds {in_container}")
}

/// Every `*_env` value of a TOML configuration: the variables it reads secrets from.
fn env_keys(value: &toml::Value, into: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                match value {
                    toml::Value::String(name) if key.ends_with("_env") => {
                        into.insert(name.clone());
                    }
                    other => env_keys(other, into),
                }
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|i| env_keys(i, into)),
        _ => {}
    }
}

fn config_env_names(compose: &Yaml) -> BTreeSet<String> {
    let (path, _) = mounted_config(compose);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: toml::Value =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = BTreeSet::new();
    env_keys(&value, &mut names);
    names
}

/// The variables handoff reads (see the module's comment).
fn read_by_handoff(compose: &Yaml) -> BTreeSet<String> {
    let mut files = Vec::new();
    for dir in [
        "bot/src",
        "bot/bin/src",
        "bot/matrix/src",
        "config/src",
        "dispatcher/src",
    ] {
        sources(&repo().join(dir), &mut files);
    }
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
        for marker in ["env = \"", "env::var(\""] {
            names.extend(literals_after(&text, marker).into_iter().map(str::to_owned));
        }
        if text.contains("EnvFilter::try_from_default_env") {
            names.insert("RUST_LOG".to_owned());
        }
    }
    names.extend(config_env_names(compose));
    names
}

#[test]
fn compose_runs_handoff_beside_postgresql_15_and_synapse() {
    let compose = compose();
    let services: BTreeSet<&str> = compose["services"]
        .as_hash()
        .unwrap_or_else(|| panic!("no services"))
        .keys()
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(services, BTreeSet::from(["handoff", "postgres", "synapse"]));
    let postgres = service(&compose, "postgres")["image"]
        .as_str()
        .unwrap_or("");
    assert!(postgres.starts_with("postgres:15"), "{postgres}");
    let synapse = service(&compose, "synapse")["image"].as_str().unwrap_or("");
    assert!(synapse.starts_with("matrixdotorg/synapse:"), "{synapse}");
    let build = &service(&compose, "handoff")["build"];
    assert_eq!(build["context"].as_str(), Some(".."));
    assert_eq!(build["dockerfile"].as_str(), Some("docker/Dockerfile"));
}

#[test]
fn the_handoff_container_is_read_only_unprivileged_and_has_a_tmpfs_for_tmp() {
    let compose = compose();
    let handoff = service(&compose, "handoff");
    assert_eq!(handoff["read_only"].as_bool(), Some(true));
    let user = handoff["user"]
        .as_str()
        .unwrap_or_else(|| panic!("no user"));
    assert_eq!(
        runtime("USER"),
        vec![user.to_owned()],
        "compose runs as the image's user"
    );
    let (uid, gid) = user
        .split_once(':')
        .unwrap_or_else(|| panic!("{user}: UID:GID"));
    for id in [uid, gid] {
        let id: u32 = id.parse().unwrap_or_else(|_| panic!("{user}: numeric ids"));
        assert_ne!(id, 0, "never root");
    }
    assert!(
        strings(&handoff["tmpfs"])
            .iter()
            .any(|t| t.split(':').next() == Some("/tmp")),
        "a tmpfs at /tmp"
    );
    assert_eq!(strings(&handoff["cap_drop"]), vec!["ALL"]);
    assert_eq!(handoff["stop_signal"].as_str(), Some("SIGTERM"));
}

#[test]
fn the_handoff_container_keeps_its_data_in_a_named_volume_and_reads_its_config_read_only() {
    let compose = compose();
    let handoff = service(&compose, "handoff");
    let volumes = strings(&handoff["volumes"]);
    let data = volumes
        .iter()
        .find_map(|v| v.strip_suffix(":/data"))
        .unwrap_or_else(|| panic!("nothing mounted at /data: {volumes:?}"));
    assert!(
        !compose["volumes"][data].is_badvalue(),
        "/data is the named volume `{data}`, declared under volumes:"
    );
    assert_eq!(runtime("VOLUME"), vec!["[\"/data\"]".to_owned()]);
    let (path, in_container) = mounted_config(&compose);
    assert!(path.is_file(), "{} is missing", path.display());
    let mount = volumes
        .iter()
        .find(|v| in_container.starts_with(&format!("{}/", v.split(':').nth(1).unwrap_or("-"))))
        .unwrap_or_else(|| panic!("no mount holds {in_container}"));
    assert!(mount.ends_with(":ro"), "{mount} is read-only");
    assert!(
        instructions("ENV")
            .iter()
            .any(|e| e.contains(&format!("HANDOFF_CONFIG={in_container}"))),
        "the image and compose name the same configuration"
    );
}

#[test]
fn handoff_waits_for_healthy_postgres_and_synapse_and_is_checked_by_handoff_healthcheck() {
    let compose = compose();
    let handoff = service(&compose, "handoff");
    for dependency in ["postgres", "synapse"] {
        assert_eq!(
            handoff["depends_on"][dependency]["condition"].as_str(),
            Some("service_healthy"),
            "handoff starts after {dependency} is healthy"
        );
        let test = strings(&service(&compose, dependency)["healthcheck"]["test"]);
        assert!(
            test.first() == Some(&"CMD"),
            "{dependency} has a healthcheck"
        );
    }
    let test = strings(&handoff["healthcheck"]["test"]);
    assert_eq!(test[..3], ["CMD", "handoff", "healthcheck"]);
    let url = test[3..]
        .windows(2)
        .find(|w| w[0] == "--url")
        .map(|w| w[1])
        .unwrap_or_else(|| panic!("{test:?} names no --url"));
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/healthz"))
        .unwrap_or_else(|| panic!("{url}: /healthz on the container's loopback"));
    let healthcheck = runtime("HEALTHCHECK");
    assert_eq!(healthcheck.len(), 1, "the image has one HEALTHCHECK");
    assert!(
        healthcheck[0].contains(&format!(
            "[\"handoff\", \"healthcheck\", \"--url\", \"{url}\"]"
        )),
        "the image checks the same URL: {}",
        healthcheck[0]
    );
    assert_eq!(runtime("EXPOSE"), vec![port.to_owned()]);
    assert!(
        strings(&handoff["ports"]).contains(&format!("127.0.0.1:{port}:{port}").as_str()),
        "the port is published on the host's loopback"
    );
    let (path, _) = mounted_config(&compose);
    let config: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config["server"]["listen"].as_str(),
        Some(format!("0.0.0.0:{port}").as_str()),
        "the service listens where the health check asks, on every interface"
    );
}

#[test]
fn the_image_runs_as_a_fixed_unprivileged_user_and_stops_on_sigterm() {
    let from = instructions("FROM");
    assert_eq!(from.len(), 2, "two stages: build and runtime");
    assert_eq!(from[1], "debian:bookworm-slim AS runtime");
    let user = runtime("USER");
    assert_eq!(user.len(), 1);
    assert!(!user[0].starts_with('0') && !user[0].starts_with("root"));
    assert_eq!(runtime("STOPSIGNAL"), vec!["SIGTERM".to_owned()]);
    assert_eq!(runtime("ENTRYPOINT"), vec!["[\"handoff\"]".to_owned()]);
    assert_eq!(runtime("CMD"), vec!["[\"serve\"]".to_owned()]);
    let installs: Vec<String> = runtime("RUN")
        .iter()
        .filter_map(|run| run.split("apt-get install").nth(1).map(str::to_owned))
        .collect();
    assert_eq!(installs.len(), 1);
    let packages: Vec<&str> = installs[0]
        .split("&&")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(packages, ["ca-certificates"], "nothing but CA certificates");
}

#[test]
fn the_dockerfile_builds_this_packages_handoff_binary_with_the_lock_file() {
    let builds = cargo_builds();
    assert_eq!(builds.len(), 2, "the dependency layer, then the program");
    assert_eq!(builds[0], builds[1], "both layers build the same thing");
    let build = &builds[0];
    assert_eq!(
        build.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "cargo",
            "build",
            "--release",
            "--locked",
            "-p",
            env!("CARGO_PKG_NAME")
        ],
        "the image's binary is this package's, which the test suite builds and runs"
    );
    let manifest: toml::Value =
        toml::from_str(&read("bot/bin/Cargo.toml")).unwrap_or_else(|e| panic!("{e}"));
    let bins = manifest["bin"].as_array().cloned().unwrap_or_default();
    assert_eq!(bins.len(), 1);
    let bin = bins[0]["name"].as_str().unwrap_or_default();
    assert_eq!(bin, "handoff");
    assert!(
        instructions("RUN")
            .iter()
            .any(|run| run.contains(&format!("target/release/{bin} /usr/local/bin/{bin}"))),
        "the binary installed is the one built"
    );
    assert_eq!(
        Path::new(env!("CARGO_BIN_EXE_handoff")).file_name(),
        Some(std::ffi::OsStr::new(bin))
    );
    // `--locked` refuses a Cargo.lock that would need changing: check it against
    // the same package, without building. (Building it here, without --release,
    // would not reuse the test suite's artifacts: `cargo test --workspace` unifies
    // dev-dependency features such as tokio's test-util into every crate, which
    // `-p handoff` alone does not, so it rebuilds tokio and everything above it.
    // `the_dockerfile_build_command_builds`, ignored by default, does it.)
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["tree", "--locked", "--offline", "--depth", "0"])
        .args(&build[4..6])
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("running cargo tree: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Dockerfile's build without `--release`: a debug build of what the image
/// builds, with the package's own features only. Ignored by default, since after
/// the workspace's tests (whose dev-dependency features differ) it rebuilds most of
/// the dependency graph: minutes on two cores. `cargo test -p handoff --test
/// docker -- --ignored` runs it.
#[test]
#[ignore = "rebuilds most dependencies without the test suite's features: minutes"]
fn the_dockerfile_build_command_builds() {
    let build = &cargo_builds()[0];
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(build[1..].iter().filter(|arg| *arg != "--release"))
        .current_dir(repo())
        .status()
        .unwrap_or_else(|e| panic!("running cargo: {e}"));
    assert!(status.success());
    assert!(repo().join("target/debug/handoff").is_file());
}

#[test]
fn the_dependency_layer_copies_every_workspace_manifest_and_stubs_every_inferred_library() {
    let root: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap_or_else(|e| panic!("{e}"));
    let members: Vec<String> = root["workspace"]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members"))
        .iter()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    let copies = instructions("COPY");
    let stubs = instructions("RUN")
        .into_iter()
        .find(|run| run.contains("for crate in"))
        .unwrap_or_else(|| panic!("no RUN makes stand-in sources"));
    let stubbed: BTreeSet<&str> = stubs
        .split("for crate in")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or("")
        .split_whitespace()
        .collect();
    for member in &members {
        assert!(
            copies.contains(&format!("{member}/Cargo.toml {member}/")),
            "the Dockerfile does not copy {member}/Cargo.toml before the dependency build"
        );
        let manifest: toml::Value = toml::from_str(&read(&format!("{member}/Cargo.toml")))
            .unwrap_or_else(|e| panic!("{e}"));
        let inferred_lib = manifest.get("lib").is_none() && manifest.get("bin").is_none();
        assert_eq!(
            stubbed.contains(member.as_str()),
            inferred_lib,
            "{member}: a stand-in src/lib.rs exactly for crates whose targets are inferred"
        );
    }
    let cleaned = stubs
        .split("cargo clean")
        .nth(1)
        .unwrap_or_else(|| panic!("the stand-ins are not cleaned away"));
    for member in [
        "schedules",
        "dispatcher",
        "config",
        "bot",
        "bot/matrix",
        "bot/bin",
    ] {
        let manifest: toml::Value = toml::from_str(&read(&format!("{member}/Cargo.toml")))
            .unwrap_or_else(|e| panic!("{e}"));
        let name = manifest["package"]["name"].as_str().unwrap_or_default();
        assert!(
            cleaned.contains(&format!("-p {name} ")) || cleaned.ends_with(&format!("-p {name}")),
            "the stand-in of {name} is not cleaned away"
        );
    }
}

#[test]
fn the_build_runs_on_the_workspaces_rust_version() {
    let root: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap_or_else(|e| panic!("{e}"));
    let version = root["workspace"]["package"]["rust-version"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        instructions("FROM")[0],
        format!("rust:{version}-bookworm AS build")
    );
}

#[test]
fn compose_substitutes_exactly_the_variables_of_env_example() {
    assert_eq!(substituted_names(&compose()), env_example());
}

#[test]
fn every_variable_the_deployment_names_is_a_row_of_the_readme_table_and_back() {
    let compose = compose();
    let mut named = substituted_names(&compose);
    for service_name in ["handoff", "postgres", "synapse"] {
        named.extend(environment(service(&compose, service_name)).into_keys());
    }
    named.extend(dockerfile_env());
    assert_eq!(documented_variables(), named);
}

#[test]
fn every_variable_given_to_handoff_is_one_it_reads() {
    let compose = compose();
    let reads = read_by_handoff(&compose);
    let mut given: BTreeSet<String> = environment(service(&compose, "handoff"))
        .into_keys()
        .collect();
    given.extend(dockerfile_env());
    let unread: Vec<&String> = given.difference(&reads).collect();
    assert!(unread.is_empty(), "handoff reads none of {unread:?}");
}

#[test]
fn every_secret_the_mounted_configuration_names_is_given_to_handoff() {
    let compose = compose();
    let needed = config_env_names(&compose);
    assert!(!needed.is_empty());
    let given = environment(service(&compose, "handoff"));
    for name in needed {
        assert!(
            given.contains_key(&name),
            "compose does not pass {name} to handoff"
        );
    }
}

#[test]
fn the_mounted_configuration_passes_check_config_in_the_compose_environment() {
    let compose = compose();
    // Stand-ins for docker/.env: each at least 32 characters, as an agency's API
    // token must be.
    let dotenv: BTreeMap<String, String> = env_example()
        .into_iter()
        .map(|name| {
            let value = format!("stand-in-for-{name}-0123456789abcdef0123456789abcdef");
            (name, value)
        })
        .collect();
    let env: BTreeMap<String, String> = environment(service(&compose, "handoff"))
        .into_iter()
        .map(|(k, v)| (k, interpolate(&v, &dotenv)))
        .collect();
    assert!(
        env.get("HANDOFF_DATABASE_URL").is_some_and(|url| url
            .starts_with("postgres://handoff:stand-in-for-POSTGRES_PASSWORD")
            && url.ends_with("@postgres:5432/handoff")),
        "{:?}",
        env.get("HANDOFF_DATABASE_URL")
    );
    let (path, _) = mounted_config(&compose);
    // The file as the container sees it: through --config, since HANDOFF_CONFIG
    // names its path inside the container.
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .arg("check-config")
        .arg("--config")
        .arg(&path)
        .env_clear()
        .envs(env.iter().filter(|(k, _)| *k != "HANDOFF_CONFIG"))
        .output()
        .unwrap_or_else(|e| panic!("running handoff: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("is valid"), "{stdout}");
    assert!(stdout.contains("http://synapse:8008"), "{stdout}");
}

#[test]
fn the_postgres_init_script_is_an_executable_shell_script_that_parses() {
    let script = repo().join("docker/postgres/10-synapse.sh");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script)
            .unwrap_or_else(|e| panic!("{e}"))
            .permissions()
            .mode();
        assert_ne!(mode & 0o111, 0, "executable, so the entrypoint runs it");
    }
    let status = Command::new("sh")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap_or_else(|e| panic!("running sh: {e}"));
    assert!(status.success());
    let postgres = environment(service(&compose(), "postgres"));
    let text = read("docker/postgres/10-synapse.sh");
    for name in literals_after(&text, "\"$") {
        assert!(
            postgres.contains_key(name),
            "the script reads ${name}, which compose does not give postgres"
        );
    }
}

#[test]
fn compose_substitution_reads_defaults_requirements_and_escapes_as_compose_does() {
    let env = BTreeMap::from([
        ("SET".to_owned(), "v".to_owned()),
        ("EMPTY".to_owned(), String::new()),
    ]);
    assert_eq!(interpolate("a${SET}b$SET", &env), "avbv");
    assert_eq!(
        interpolate("${EMPTY:-d}|${EMPTY-d}|${UNSET-d}", &env),
        "d||d"
    );
    assert_eq!(interpolate("${SET:?needed}", &env), "v");
    assert_eq!(interpolate("$${SET}", &env), "${SET}");
    let missing = std::panic::catch_unwind(|| interpolate("${EMPTY:?say so}", &env));
    assert!(missing.is_err(), "an empty required variable stops compose");
}

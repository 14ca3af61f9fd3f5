//! `brief init`, `brief check` and the CLI's conventions, run as a user would run them.

use std::path::Path;
use std::process::{Command, Output};

fn brief(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brief")).args(args).env_remove("NO_COLOR").output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn init(dir: &Path) -> String {
    let project = dir.join("briefing");
    let out = brief(&["init", project.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    project.to_str().unwrap().to_string()
}

#[test]
fn init_then_build_then_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    let build = brief(&["build", "--root", &root]);
    let log = text(&build);
    assert!(build.status.success(), "{log}");
    assert!(log.contains("built 2 articles from 2 outlets into"), "{log}");
    assert!(!log.contains('\x1b'), "no colour when stderr is not a terminal: {log}");
    let page = std::fs::read_to_string(Path::new(&root).join("public/index.html")).unwrap();
    assert!(!page.contains("data-brief-reload"), "a normal build has no reload script");
    let check = brief(&["check", "--root", &root]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("check passed"), "{}", text(&check));
    let quiet = brief(&["--quiet", "check", "--root", &root]);
    assert!(quiet.status.success());
    assert_eq!(text(&quiet), "", "--quiet prints nothing on success");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let out = brief(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not empty"), "{}", text(&out));
    assert!(!dir.path().join("brief.toml").exists());
}

#[test]
fn check_reports_every_problem_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    let root_path = Path::new(&root);
    std::fs::write(
        root_path.join("content/topics/flooding.md"),
        "+++\nkeywords = [\"quay\"]\n+++\nThe flood reached the quay.\n\nSee [the map](maps/northport.html) first.\n",
    )
    .unwrap();
    std::fs::write(
        root_path.join("content/sources/coast-radio.md"),
        "+++\nname = \"Coast Radio\"\nseeds = [\n  \"002-coast-radio.txt\",\n  \"009-missing.txt\",\n]\n+++\n",
    )
    .unwrap();
    let out = brief(&["check", "--root", &root]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("content/topics/flooding.md:6: link `maps/northport.html` does not resolve"),
        "{log}"
    );
    assert!(log.contains("content/sources/coast-radio.md:5: `seeds` lists `009-missing.txt`"), "{log}");
    assert!(log.contains("check found 3 problems"), "{log}");
}

#[test]
fn check_reports_bad_front_matter_in_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    let root_path = Path::new(&root);
    std::fs::write(
        root_path.join("content/topics/power.md"),
        "+++\ntitle = \"Power\"\nkeywords = [\"grid\",\n+++\n",
    )
    .unwrap();
    std::fs::write(
        root_path.join("content/_index.md"),
        "+++\ntitle = \"x\"\n\ntitel = \"typo\"\n+++\nLead.\n",
    )
    .unwrap();
    let out = brief(&["check", "--root", &root]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("content/_index.md:4: unknown field `titel`"), "{log}");
    assert!(log.contains("content/topics/power.md:"), "{log}");
    assert!(log.contains("check found 2 problems"), "{log}");
}

#[test]
fn check_reports_a_topic_without_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    let config = Path::new(&root).join("brief.toml");
    let mut text_ = std::fs::read_to_string(&config).unwrap();
    text_.push_str("\n[[topics]]\nslug = \"volcano\"\ntitle = \"Volcano\"\nkeywords = [\"lava\"]\n");
    std::fs::write(&config, &text_).unwrap();
    let out = brief(&["check", "--root", &root]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("brief.toml:") && log.contains("topic `volcano` has no paragraphs"), "{log}");
}

#[test]
fn the_example_project_checks_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = brief(&["check", "--root", root]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    let out = brief(&["bild"]);
    assert_eq!(out.status.code(), Some(2));
    for command in ["build", "serve", "check", "init"] {
        let out = brief(&[command, "--help"]);
        assert!(out.status.success());
        assert!(text(&out).contains("Example"), "{command} --help: {}", text(&out));
    }
    let top = text(&brief(&["--help"]));
    assert!(top.contains("Exit codes") && top.contains("--quiet") && top.contains("--verbose"), "{top}");
}

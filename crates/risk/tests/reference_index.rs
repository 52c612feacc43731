//! The embedded case list covers every reference file in tests/data/.
mod common;

#[test]
fn all_reference_files_are_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/data")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    on_disk.sort();
    let listed: Vec<String> = common::cases::FILES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(on_disk, listed);
}

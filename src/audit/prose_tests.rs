//! Unit tests of the prose reader (figures, clauses, claims).

use super::*;
use crate::audit::figures::parse_chinese;

fn values(s: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = s.chars().collect();
    let words = &crate::template::bundled_format(2021).unwrap().audit.words;
    scan(&chars, words).iter().map(|f| (f.shown(), f.approx)).collect()
}

#[test]
fn chinese_numerals() {
    for (s, v) in
        [("七", 7), ("十二", 12), ("二十", 20), ("一百零三", 103), ("三千五百", 3500), ("两", 2)]
    {
        let chars: Vec<char> = s.chars().collect();
        assert_eq!(parse_chinese(&chars), Some(v), "{s}");
    }
}

#[test]
fn scan_finds_counted_numbers_only() {
    assert_eq!(values("收到申请七件，一是加强"), [("7".into(), false)]);
    assert_eq!(values("答复率百分之百"), [("100%".into(), false)]);
    assert_eq!(values("发布政府信息900余条"), [("900".into(), true)]);
    assert_eq!(values("占33.9%"), [("33.9%".into(), false)]);
    assert!(values("高效办成一件事").is_empty());
    assert!(values("第二十条第（一）项").is_empty());
    assert_eq!(values("电话：0561-3055002").len(), 0);
}

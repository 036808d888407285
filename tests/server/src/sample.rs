//! Deterministic sample data: realistic attachments for demos and tests, and large sets for
//! benchmarks. The same seed always gives the same data, on every platform.

use std::fmt::Write as _;

use crate::config::Realm;
use crate::data::{Attachment, SentMessage};

/// 2019-01-01T00:00:00Z.
const EARLIEST: i64 = 1_546_300_800;
/// Six years later.
const SPAN: u64 = 6 * 365 * 86_400;

/// File names as people upload them: non-ASCII, spaces, quotes, backslashes, brackets, a tab,
/// an emoji outside the BMP, right-to-left text, a percent sign.
const NAMES: &[&str] = &[
    "166050.jpg",
    "Screenshot 2024-03-01 at 10.15.42.png",
    "Résumé – Zoë Müller.pdf",
    "日本語の資料.docx",
    "отчёт за квартал.xlsx",
    "[draft] plan (v2).md",
    "quote \"unquote\".txt",
    "back\\slash.log",
    "emoji 🎉 party.gif",
    "tab\there.csv",
    "مستند.pdf",
    "100% done.txt",
    "zulip-terminal_0.7.0.tar.gz",
    "  spaces around  .txt",
];

/// Stems and extensions for [`many_attachments`].
const STEMS: &[&str] = &[
    "photo",
    "Übersicht",
    "报告",
    "meeting notes",
    "[old] backup",
    "naïve \"quoted\"",
    "data\\export",
    "🎉",
];
const EXTENSIONS: &[&str] = &["png", "jpg", "pdf", "txt", "zip", "csv", "mp4", "docx"];

/// SplitMix64: tiny, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len() as u64) as usize)
            .copied()
            .unwrap_or("file")
    }

    /// A size spread over several orders of magnitude (10 B – ~20 MB).
    fn size(&mut self) -> u64 {
        let magnitude = 10u64.pow(1 + self.below(7) as u32);
        self.below(2 * magnitude) + 10
    }
}

/// Zulip's `sanitize_name` (approximately: no NFKC normalization): keep letters, digits, `_`,
/// `.`, `-` and whitespace, trim, then turn each run of `-`/whitespace into one `-`.
pub fn sanitize_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|&c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-') || c.is_whitespace())
        .collect();
    let mut out = String::with_capacity(kept.len());
    let mut in_run = false;
    for c in kept.trim().chars() {
        let dash = c == '-' || c.is_whitespace();
        if !(dash && in_run) {
            out.push(if dash { '-' } else { c });
        }
        in_run = dash;
    }
    if out.is_empty() {
        out.push_str("uploaded-file");
    }
    out
}

fn path_id(rng: &mut Rng, realm_id: u64, name: &str) -> String {
    const URLSAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::with_capacity(40 + name.len());
    let _ = write!(s, "{realm_id}/{:02x}/", rng.below(256));
    let mut bits = 0u64;
    for i in 0..24 {
        if i % 10 == 0 {
            bits = rng.next();
        }
        s.push(char::from(URLSAFE[(bits & 63) as usize]));
        bits >>= 6;
    }
    s.push('/');
    s.push_str(&sanitize_name(name));
    s
}

fn messages(rng: &mut Rng, count: u64, create_time: i64, next_id: &mut u64) -> Vec<SentMessage> {
    let mut date = create_time;
    (0..count)
        .map(|_| {
            *next_id += 1 + rng.below(50);
            date += rng.below(3 * 86_400) as i64;
            SentMessage {
                id: *next_id,
                date_sent: date,
            }
        })
        .collect()
}

/// A realistic set of 14 attachments of one user in the default realm (id 2): every name in the
/// sample list (non-ASCII, quotes, backslashes, brackets, a tab, an emoji), 0 to 5 messages each
/// (at least one with none and one with five), sizes from bytes to megabytes, upload times in
/// 2019–2024. `seed` picks ids, sizes and times.
pub fn user_attachments(seed: u64) -> Vec<Attachment> {
    user_attachments_in(Realm::DEFAULT_ID, seed)
}

/// [`user_attachments`] for a user of realm `realm_id`.
pub fn user_attachments_in(realm_id: u64, seed: u64) -> Vec<Attachment> {
    let mut rng = Rng::new(seed);
    let mut next_id = 1 + rng.below(1000);
    let mut next_message = 100 + rng.below(10_000);
    NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = next_id;
            next_id += 1 + rng.below(5);
            let create_time = EARLIEST + rng.below(SPAN) as i64;
            let count = match i {
                0 => 2,
                1 => 0,
                2 => 5,
                _ => rng.below(6),
            };
            Attachment {
                id,
                name: (*name).to_owned(),
                path_id: path_id(&mut rng, realm_id, name),
                size: Some(rng.size()),
                create_time,
                messages: messages(&mut rng, count, create_time, &mut next_message),
            }
        })
        .collect()
}

/// `n` attachments (ids `1..=n`, upload times increasing) in the default realm, for
/// benchmarks: varied names (non-ASCII, quotes, backslashes, an emoji), 0–5 messages each.
/// About 0.1 s for 100 000 in a release build (about 17 MB of G4 JSON).
pub fn many_attachments(n: usize, seed: u64) -> Vec<Attachment> {
    many_attachments_in(Realm::DEFAULT_ID, n, seed)
}

/// [`many_attachments`] for realm `realm_id`.
pub fn many_attachments_in(realm_id: u64, n: usize, seed: u64) -> Vec<Attachment> {
    let mut rng = Rng::new(seed);
    let mut next_message = 1000;
    let mut create_time = EARLIEST;
    (0..n)
        .map(|i| {
            create_time += rng.below(1800) as i64;
            let name = format!("{} {i}.{}", rng.pick(STEMS), rng.pick(EXTENSIONS));
            let count = rng.below(6);
            Attachment {
                id: i as u64 + 1,
                path_id: path_id(&mut rng, realm_id, &name),
                name,
                size: Some(rng.size()),
                create_time,
                messages: messages(&mut rng, count, create_time, &mut next_message),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize() {
        assert_eq!(sanitize_name("166050.jpg"), "166050.jpg");
        assert_eq!(sanitize_name("[draft] plan (v2).md"), "draft-plan-v2.md");
        assert_eq!(sanitize_name("  spaces around  .txt"), "spaces-around-.txt");
        assert_eq!(sanitize_name("日本語の資料.docx"), "日本語の資料.docx");
        assert_eq!(sanitize_name("🎉"), "uploaded-file");
        assert_eq!(sanitize_name("-a - b-🎉 "), "-a-b-");
    }

    #[test]
    fn deterministic() {
        assert_eq!(user_attachments(5), user_attachments(5));
        assert_ne!(user_attachments(5), user_attachments(6));
        assert_eq!(many_attachments(50, 1), many_attachments(50, 1));
    }

    #[test]
    fn many_attachments_have_zero_to_five_messages() {
        let counts: Vec<usize> = many_attachments(1000, 7)
            .iter()
            .map(|a| a.messages.len())
            .collect();
        for count in 0..=5 {
            assert!(
                counts.contains(&count),
                "no attachment with {count} messages"
            );
        }
        assert!(counts.iter().all(|&c| c <= 5), "{counts:?}");
    }
}

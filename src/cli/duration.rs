//! Duration flags (`--timeout`, `--wait-timeout`, `--lock-timeout`,
//! `--lock-ttl`) and their environment variables, written the way kubectl
//! and Terraform take them: `30` (a bare number is seconds, as before),
//! `30s`, `2m`, `1h`, `1h30m`, `500ms`. Units are parsed by the `humantime`
//! crate; a bad value is a usage error (exit status 3) from clap, naming
//! the flag and the value.

use std::time::Duration;

/// The accepted forms, for error messages.
const FORMS: &str = "a number of seconds (30) or a number with a unit (30s, 2m, 1h, 1h30m, 500ms)";

/// Parses a duration of zero or more: a bare whole number is seconds,
/// anything else goes to `humantime` (`30s`, `2m`, `1h`, `1h 30m`).
pub fn parse(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(format!("an empty value is not a duration; use {FORMS}"));
    }
    if trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
        return trimmed
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| "too large a number of seconds".to_string());
    }
    humantime::parse_duration(trimmed).map_err(|_| format!("not a duration; use {FORMS}"))
}

/// Like [`parse`], but the duration must be at least one second: a lease
/// or a request that ends at once is a mistake, not a choice.
pub fn parse_at_least_one_second(text: &str) -> Result<Duration, String> {
    let duration = parse(text)?;
    if duration < Duration::from_secs(1) {
        return Err("less than one second; use at least 1s".to_string());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(parse("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert_eq!(parse(" 120 "), Ok(Duration::from_secs(120)));
    }

    #[test]
    fn units_like_kubectl_and_terraform() {
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn bad_values_say_what_is_accepted() {
        for bad in [
            "",
            "  ",
            "abc",
            "2x",
            "-5",
            "1.5",
            "m",
            "30 seconds please",
            "2m-",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains("30s, 2m, 1h"), "{bad:?}: {err}");
        }
        let huge = parse("99999999999999999999999").expect_err("overflow");
        assert!(huge.contains("too large"), "{huge}");
    }

    #[test]
    fn at_least_one_second() {
        assert_eq!(parse_at_least_one_second("1"), Ok(Duration::from_secs(1)));
        assert_eq!(
            parse_at_least_one_second("90s"),
            Ok(Duration::from_secs(90))
        );
        for short in ["0", "0s", "500ms"] {
            let err = parse_at_least_one_second(short).expect_err(short);
            assert!(err.contains("less than one second"), "{short}: {err}");
        }
        assert!(parse_at_least_one_second("soon").is_err());
    }
}

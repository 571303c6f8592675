//! Progress bars on standard error, one per phase (hashing, signing, extending), counting
//! bytes with their rate and the time left. They draw only when standard error is a
//! terminal (`ProgressDrawTarget::stderr` hides itself otherwise), so scripts and logs
//! see only the result lines on standard output and the error line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

/// The bar's layout: phase, current file (cut to the room left), bar, bytes done of the
/// total, rate, time left.
const TEMPLATE: &str =
    "{prefix:>9} {wide_msg} [{bar:20}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}";

/// A bar for a phase that moves `total` bytes; it clears itself when dropped, so that a
/// failure leaves only the error line below the result lines.
pub(crate) fn bytes(phase: &'static str, total: u64) -> ProgressBar {
    let style = ProgressStyle::with_template(TEMPLATE)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_prefix(phase)
        .with_finish(ProgressFinish::AndClear)
}

/// The name of a file as shown beside the bar.
pub(crate) fn label(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
    }
}

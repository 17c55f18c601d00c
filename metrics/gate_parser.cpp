// parse_gate: the [[gate]] expression grammar of gates.hpp. Runs once per gate when a scenario is
// validated, so it favours precise messages over speed: every error names its 1-based column,
// what was found and what was expected.
#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "metrics/gates.hpp"

namespace fleetsim::metrics {
namespace {

constexpr std::string_view kScheduleLag = "schedule_lag";
constexpr std::string_view kBaseline = "baseline";
constexpr std::array<std::string_view, 2> kTotals = {"errors", "sessions_failed"};
constexpr std::array<std::string_view, 5> kCountStats = {"count", "ok", "errors", "timeouts", "throttled"};
constexpr std::string_view kRateStat = "rate_per_s";
constexpr std::array<std::string_view, 6> kLatencyStats = {"mean", "p50", "p90", "p99", "p999", "max"};
constexpr std::array<std::string_view, 6> kComparators = {"<=", ">=", "==", "!=", "<", ">"};

constexpr std::string_view kOpList =
    "connect telemetry twin_get reported_patch desired_propagation desired_convergence method c2d query e2e "
    "schedule_lag";
constexpr std::string_view kStatList =
    "count ok errors timeouts throttled rate_per_s mean p50 p90 p99 p999 max";
constexpr std::string_view kScheduleLagStatList = "count rate_per_s mean p50 p90 p99 p999 max";

bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Built by appending: "'" + std::string(...) trips GCC 12's false -Wrestrict positive.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view s) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean 'x'?" for the closest candidate within two edits (one for short names), or "".
std::string did_you_mean(std::string_view found, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const auto c : candidates) {
    const std::size_t d = edit_distance(found, c);
    if (d < best_distance && d <= std::max<std::size_t>(1, c.size() / 3)) {
      best = c;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : "; did you mean " + quoted(best) + "?";
}

class Parser {
 public:
  Parser(std::string_view text, GateParseError* error) : text_(text), error_(error) {}

  std::optional<GateExpr> parse() {
    GateExpr g{};
    skip_space();
    if (!parse_subject(g) || !parse_stat(g) || !parse_comparator(g) || !parse_threshold(g)) {
      return std::nullopt;
    }
    if (pos_ < text_.size()) {
      fail(pos_, "found " + found_at(pos_) + ", expected the end of the expression");
      return std::nullopt;
    }
    return g;
  }

 private:
  // OP, schedule_lag or TOTAL; leaves pos_ on the next token.
  bool parse_subject(GateExpr& g) {
    const std::size_t at = pos_;
    subject_ = identifier();
    if (subject_.empty()) {
      return fail(at,
                  "found " + found_at(at) + ", expected an operation or a total (errors, sessions_failed)");
    }
    skip_space();
    if (subject_ == kScheduleLag) {
      g.subject = GateExpr::Subject::schedule_lag_stat;
    } else if (op_from_name(subject_, g.op)) {
      g.subject = GateExpr::Subject::op_stat;
    } else if (!contains(kTotals, subject_)) {
      return fail(at, "found " + quoted(subject_) + ", expected an operation (" + std::string(kOpList) +
                          ") or a total (errors, sessions_failed)" + did_you_mean(subject_, subject_names()));
    } else if (peek() == '.') {
      return fail(pos_, "found '.', expected a comparator (< <= > >= == !=): " + quoted(subject_) +
                            " is a total and has no statistics");
    } else {
      g.subject =
          subject_ == kTotals[0] ? GateExpr::Subject::total_errors : GateExpr::Subject::sessions_failed;
    }
    return true;
  }

  // ".STAT" after an operation or schedule_lag; nothing after a total.
  bool parse_stat(GateExpr& g) {
    const bool lag = g.subject == GateExpr::Subject::schedule_lag_stat;
    if (!lag && g.subject != GateExpr::Subject::op_stat) return true;
    if (peek() != '.') {
      return fail(pos_,
                  "found " + found_at(pos_) + ", expected '.' and a statistic after " + quoted(subject_));
    }
    ++pos_;
    skip_space();
    const std::size_t at = pos_;
    const std::string_view stat = identifier();
    const bool known =
        lag ? (stat == "count" || stat == kRateStat || contains(kLatencyStats, stat))
            : (contains(kCountStats, stat) || stat == kRateStat || contains(kLatencyStats, stat));
    if (!known) {
      const std::string found = stat.empty() ? found_at(at) : quoted(stat);
      const std::string expected =
          lag ? "a schedule_lag statistic (" + std::string(kScheduleLagStatList) + ")"
              : "a statistic (" + std::string(kStatList) + ")";
      return fail(at, "found " + found + ", expected " + expected + did_you_mean(stat, stat_names(lag)));
    }
    g.stat = std::string(stat);
    skip_space();
    return true;
  }

  bool parse_comparator(GateExpr& g) {
    for (const auto c : kComparators) {
      if (text_.substr(pos_).starts_with(c)) {
        g.cmp = std::string(c);
        pos_ += c.size();
        skip_space();
        return true;
      }
    }
    return fail(pos_, "found " + found_at(pos_) + ", expected a comparator (< <= > >= == !=)" +
                          (peek() == '=' ? "; did you mean '=='?" : ""));
  }

  // VALUE[UNIT] or a baseline form, converted to the statistic's report unit (ms for latencies).
  bool parse_threshold(GateExpr& g) {
    if (text_.substr(pos_).starts_with(kBaseline) &&
        (pos_ + kBaseline.size() == text_.size() || !is_ident_char(text_[pos_ + kBaseline.size()]))) {
      return parse_baseline(g);
    }
    const std::size_t at = pos_;
    if (!is_digit(peek()) && peek() != '.') {
      return fail(at, "found " + found_at(at) + ", expected a " + (peek() == '-' ? "non-negative " : "") +
                          "number (or baseline, baseline * 1.1, baseline + 5ms)");
    }
    return parse_value(g, g.threshold);
  }

  // "baseline [* FACTOR] [+|- VALUE[UNIT]]": the same statistic in the --baseline report, scaled
  // and shifted.
  bool parse_baseline(GateExpr& g) {
    g.relative_to_baseline = true;
    pos_ += kBaseline.size();
    skip_space();
    if (peek() == '*') {
      ++pos_;
      skip_space();
      const std::size_t at = pos_;
      const bool starts_number = is_digit(peek()) || peek() == '.';
      const auto [end, ec] =
          std::from_chars(text_.data() + pos_, text_.data() + text_.size(), g.baseline_factor);
      if (!starts_number || ec != std::errc()) {
        return fail(
            at, "found " + found_at(at) + ", expected a non-negative factor after 'baseline *', e.g. 1.1");
      }
      pos_ = static_cast<std::size_t>(end - text_.data());
      skip_space();
    }
    if (peek() == '+' || peek() == '-') {
      const bool minus = peek() == '-';
      ++pos_;
      skip_space();
      const std::size_t at = pos_;
      if (!is_digit(peek()) && peek() != '.') {
        return fail(
            at, "found " + found_at(at) + ", expected a number after 'baseline " + (minus ? "-" : "+") + "'");
      }
      if (!parse_value(g, g.baseline_offset)) return false;
      if (minus) g.baseline_offset = -g.baseline_offset;
      return true;
    }
    if (pos_ < text_.size()) {
      return fail(
          pos_,
          "found " + found_at(pos_) +
              ", expected '* FACTOR', '+ VALUE', '- VALUE' or the end of the expression after 'baseline'");
    }
    return true;
  }

  // NUMBER[UNIT] at pos_ (known to start with a digit or '.') into `out`, in the statistic's unit.
  bool parse_value(const GateExpr& g, double& out) {
    const std::size_t at = pos_;
    const auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), out);
    if (ec != std::errc()) return fail(at, "found " + found_at(at) + ", expected a number");
    pos_ = static_cast<std::size_t>(end - text_.data());
    skip_space();
    if (pos_ == text_.size()) return true;

    const std::size_t unit_at = pos_;
    std::size_t unit_end = pos_;
    while (unit_end < text_.size() && !is_space(text_[unit_end])) ++unit_end;
    const std::string_view unit = text_.substr(pos_, unit_end - pos_);
    if (!contains(kLatencyStats, g.stat)) {
      return fail(unit_at, "found unit " + quoted(unit) +
                               ", expected a plain number: " + quoted(subject_label(g)) + " is " +
                               (g.stat == kRateStat ? "a rate per second" : "a count") + ", not a latency");
    }
    const double scale = unit_to_ms(unit);
    if (scale == 0)
      return fail(unit_at, "found " + quoted(unit) + ", expected a unit (ns us ms s) or none for ms");
    out *= scale;
    pos_ = unit_end;
    skip_space();
    return true;
  }

  static double unit_to_ms(std::string_view unit) {
    if (unit == "ns") return 1e-6;
    if (unit == "us") return 1e-3;
    if (unit == "ms") return 1.0;
    if (unit == "s") return 1e3;
    return 0;
  }

  static std::vector<std::string_view> subject_names() {
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < kOpCount; ++i) names.push_back(op_name(static_cast<Op>(i)));
    names.push_back(kScheduleLag);
    names.insert(names.end(), kTotals.begin(), kTotals.end());
    return names;
  }

  static std::vector<std::string_view> stat_names(bool schedule_lag) {
    std::vector<std::string_view> names;
    if (schedule_lag) {
      names.push_back("count");
    } else {
      names.insert(names.end(), kCountStats.begin(), kCountStats.end());
    }
    names.push_back(kRateStat);
    names.insert(names.end(), kLatencyStats.begin(), kLatencyStats.end());
    return names;
  }

  static std::string subject_label(const GateExpr& g) {
    switch (g.subject) {
      case GateExpr::Subject::op_stat:
        return std::string(op_name(g.op)) + "." + g.stat;
      case GateExpr::Subject::schedule_lag_stat:
        return std::string(kScheduleLag) + "." + g.stat;
      case GateExpr::Subject::total_errors:
        return std::string(kTotals[0]);
      case GateExpr::Subject::sessions_failed:
        return std::string(kTotals[1]);
    }
    return {};
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  std::string_view identifier() {
    const std::size_t start = pos_;
    if (!is_ident_start(peek())) return {};
    while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // The text at `at` as it should appear after "found": the next word, quoted, or the end.
  std::string found_at(std::size_t at) const {
    if (at >= text_.size()) return "the end of the expression";
    std::size_t end = at;
    while (end < text_.size() && !is_space(text_[end])) ++end;
    return quoted(text_.substr(at, end - at));
  }

  // Records the first error; returns false so that steps can `return fail(...)`.
  bool fail(std::size_t at, std::string message) {
    if (error_ != nullptr) {
      error_->column = at + 1;
      error_->message = std::move(message);
    }
    return false;
  }

  std::string_view text_;
  GateParseError* error_;
  std::size_t pos_ = 0;
  std::string_view subject_;  // the first identifier, for messages
};

}  // namespace

std::optional<GateExpr> parse_gate(std::string_view expr, GateParseError* error) {
  return Parser(expr, error).parse();
}

}  // namespace fleetsim::metrics

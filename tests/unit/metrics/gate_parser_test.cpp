#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/gates.hpp"

namespace fleetsim::metrics {
namespace {

using Subject = GateExpr::Subject;

struct Valid {
  std::string expr;
  Subject subject;
  Op op;
  std::string stat;
  std::string cmp;
  double threshold;
};

class GateParserAccepts : public testing::TestWithParam<Valid> {};

TEST_P(GateParserAccepts, Form) {
  const Valid& v = GetParam();
  GateParseError error;
  const auto g = parse_gate(v.expr, &error);
  ASSERT_TRUE(g.has_value()) << v.expr << ": column " << error.column << ": " << error.message;
  EXPECT_EQ(g->subject, v.subject);
  if (v.subject == Subject::op_stat) {
    EXPECT_EQ(g->op, v.op);
  }
  EXPECT_EQ(g->stat, v.stat);
  EXPECT_EQ(g->cmp, v.cmp);
  EXPECT_DOUBLE_EQ(g->threshold, v.threshold);
}

INSTANTIATE_TEST_SUITE_P(
    All, GateParserAccepts,
    testing::Values(
        Valid{"reported_patch.p99 < 50ms", Subject::op_stat, Op::reported_patch, "p99", "<", 50},
        Valid{"telemetry.p999<=2s", Subject::op_stat, Op::telemetry, "p999", "<=", 2000},
        Valid{"  connect . mean >=  1500 us  ", Subject::op_stat, Op::connect, "mean", ">=", 1.5},
        Valid{"\ttwin_get.max>3000000ns", Subject::op_stat, Op::twin_get, "max", ">", 3},
        Valid{"c2d.p50 != 7", Subject::op_stat, Op::c2d, "p50", "!=", 7},
        Valid{"query.p90 == 0.5ms", Subject::op_stat, Op::query, "p90", "==", 0.5},
        Valid{"method.p99 < 1e3", Subject::op_stat, Op::method, "p99", "<", 1000},
        Valid{"desired_propagation.p99 < .25s", Subject::op_stat, Op::desired_propagation, "p99", "<", 250},
        Valid{"desired_convergence.count >= 100", Subject::op_stat, Op::desired_convergence, "count",
              ">=", 100},
        Valid{"e2e.ok == 3", Subject::op_stat, Op::e2e, "ok", "==", 3},
        Valid{"telemetry.errors <= 1", Subject::op_stat, Op::telemetry, "errors", "<=", 1},
        Valid{"telemetry.timeouts == 0", Subject::op_stat, Op::telemetry, "timeouts", "==", 0},
        Valid{"telemetry.throttled < 10", Subject::op_stat, Op::telemetry, "throttled", "<", 10},
        Valid{"method.rate_per_s > 10.5", Subject::op_stat, Op::method, "rate_per_s", ">", 10.5},
        Valid{"errors == 0", Subject::total_errors, Op::telemetry, "", "==", 0},
        Valid{"sessions_failed<=2", Subject::sessions_failed, Op::telemetry, "", "<=", 2},
        Valid{"schedule_lag.p99 < 10ms", Subject::schedule_lag_stat, Op::telemetry, "p99", "<", 10},
        Valid{"schedule_lag.count > 0", Subject::schedule_lag_stat, Op::telemetry, "count", ">", 0}));

struct Invalid {
  std::string expr;
  std::size_t column;
  std::vector<std::string> message_parts;
};

class GateParserRejects : public testing::TestWithParam<Invalid> {};

TEST_P(GateParserRejects, WithColumnAndExpectation) {
  const Invalid& v = GetParam();
  GateParseError error;
  EXPECT_FALSE(parse_gate(v.expr, &error).has_value()) << v.expr;
  EXPECT_EQ(error.column, v.column) << v.expr << ": " << error.message;
  for (const auto& part : v.message_parts) {
    EXPECT_NE(error.message.find(part), std::string::npos)
        << v.expr << ": '" << error.message << "' lacks '" << part << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, GateParserRejects,
    testing::Values(
        Invalid{"", 1, {"found the end of the expression", "expected an operation or a total"}},
        Invalid{"   ", 4, {"found the end of the expression"}},
        Invalid{"1 < 2", 1, {"found '1'", "expected an operation"}},
        Invalid{
            "telemtry.p99 < 5ms",
            1,
            {"found 'telemtry'", "expected an operation (connect telemetry", "did you mean 'telemetry'?"}},
        Invalid{"sesions_failed == 0", 1, {"found 'sesions_failed'", "did you mean 'sessions_failed'?"}},
        Invalid{"banana.p99 < 5ms", 1, {"found 'banana'", "expected an operation"}},
        Invalid{"telemetry < 5ms", 11, {"found '<'", "expected '.' and a statistic after 'telemetry'"}},
        Invalid{"telemetry.", 11, {"found the end of the expression", "expected a statistic"}},
        Invalid{"telemetry.p95 < 5ms",
                11,
                {"found 'p95'", "expected a statistic (count ok errors", "did you mean 'p9"}},
        Invalid{"telemetry.latency < 5ms", 11, {"found 'latency'", "expected a statistic"}},
        Invalid{"schedule_lag.errors < 1",
                14,
                {"found 'errors'", "expected a schedule_lag statistic (count rate_per_s"}},
        Invalid{"errors.count == 0", 7, {"found '.'", "expected a comparator", "'errors' is a total"}},
        Invalid{"telemetry.p99 5ms", 15, {"found '5ms'", "expected a comparator (< <= > >= == !=)"}},
        Invalid{"telemetry.p99 = 5ms", 15, {"found '='", "expected a comparator", "did you mean '=='?"}},
        Invalid{"telemetry.p99 =< 5ms", 15, {"found '=<'", "expected a comparator"}},
        Invalid{"telemetry.p99 <", 16, {"found the end of the expression", "expected a number"}},
        Invalid{"telemetry.p99 < abc", 17, {"found 'abc'", "expected a number"}},
        Invalid{"telemetry.p99 < -5ms", 17, {"found '-5ms'", "expected a non-negative number"}},
        Invalid{"telemetry.p99 < 5sec", 18, {"found 'sec'", "expected a unit (ns us ms s)"}},
        Invalid{"telemetry.p99 < 5 m", 19, {"found 'm'", "expected a unit"}},
        Invalid{"telemetry.count > 5ms",
                20,
                {"found unit 'ms'", "expected a plain number", "'telemetry.count' is a count"}},
        Invalid{"telemetry.rate_per_s > 5/s", 25, {"found unit '/s'", "is a rate per second"}},
        Invalid{"errors == 0ms", 12, {"found unit 'ms'", "'errors' is a count"}},
        Invalid{"telemetry.p99 < 5ms extra", 21, {"found 'extra'", "expected the end of the expression"}},
        Invalid{"telemetry.p99 < 5ms)", 18, {"found 'ms)'", "expected a unit"}}));

TEST(GateParser, ErrorOutputIsOptional) {
  EXPECT_FALSE(parse_gate("telemetry.p99 <").has_value());
  EXPECT_TRUE(parse_gate("telemetry.p99 < 5").has_value());
}

}  // namespace
}  // namespace fleetsim::metrics

// Reported PATCH bodies: properties due at one instant merged along their dotted paths.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

#include "sim/reported.hpp"

namespace fleetsim::sim {
namespace {

Value number(double v) {
  Value out;
  out.kind = Value::Kind::number;
  out.number = v;
  return out;
}

std::string patch(std::vector<std::pair<std::string, Value>> props) {
  std::vector<PathValue> items;
  for (const auto& [path, value] : props) items.push_back(PathValue{path, &value});
  std::string out;
  append_reported_patch(out, items);
  return out;
}

boost::json::value json(std::string_view text) {
  return boost::json::parse(text);
}

TEST(ReportedPatch, OneProperty) {
  EXPECT_EQ(patch({{"fw", number(1)}}), R"({"fw":1})");
}

TEST(ReportedPatch, NestedPath) {
  EXPECT_EQ(json(patch({{"env.temperature", number(21.5)}})), json(R"({"env":{"temperature":21.5}})"));
}

TEST(ReportedPatch, SiblingsMergeIntoOneObject) {
  const std::string text =
      patch({{"env.temperature", number(21.5)}, {"fw", number(2)}, {"env.humidity", number(40)}});
  EXPECT_EQ(json(text), json(R"({"env":{"temperature":21.5,"humidity":40},"fw":2})"));
  // Each object appears once: a duplicate "env" key would be a different document to most readers.
  EXPECT_EQ(text.find("\"env\""), text.rfind("\"env\""));
}

TEST(ReportedPatch, DeepAndShallowMix) {
  const std::string text = patch({{"a.b.c", number(1)},
                                  {"a.b.d", number(2)},
                                  {"a.e", number(3)},
                                  {"a0", number(4)},
                                  {"z.y", number(5)}});
  EXPECT_EQ(json(text), json(R"({"a":{"b":{"c":1,"d":2},"e":3},"a0":4,"z":{"y":5}})"));
}

TEST(ReportedPatch, DeeperPathWinsOverItsParent) {
  EXPECT_EQ(json(patch({{"env", number(1)}, {"env.t", number(2)}})), json(R"({"env":{"t":2}})"));
}

TEST(ReportedPatch, EmptyIsAnEmptyObject) {
  EXPECT_EQ(patch({}), "{}");
}

TEST(ReportedPlan, CopiesTheObserveParameters) {
  Reported r;
  r.sample = std::chrono::seconds(2);
  r.pmin = std::chrono::seconds(1);
  r.pmax = std::chrono::seconds(9);
  r.st = 0.5;
  const ReportedPlan plan = make_reported_plan(r);
  EXPECT_EQ(plan.spec, &r);
  EXPECT_EQ(plan.params.sample, r.sample);
  EXPECT_EQ(plan.params.pmin, r.pmin);
  EXPECT_EQ(plan.params.pmax, r.pmax);
  EXPECT_EQ(plan.params.st, 0.5);
  EXPECT_FALSE(plan.params.gt);
}

}  // namespace
}  // namespace fleetsim::sim

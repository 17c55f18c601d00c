// `fleetsim run --junit FILE.xml`: the gates as JUnit XML, the format CI servers (Jenkins,
// GitLab, GitHub Actions reporters, Azure Pipelines) show as test results. One <testsuite> for
// the run, one <testcase> per gate (named by the gate's name, which defaults to its expression);
// a failed gate's <failure> carries the measured value and the threshold. The run's identity
// (scenario, target, shard, duration, ...) goes in <properties>. An interrupted run adds a
// failed testcase "run completed", since its gates alone could all pass.
#pragma once

#include <string>

#include <boost/json/object.hpp>

namespace fleetsim::metrics {

// From the report document (build_report or merge_reports), so a merged report gets the same.
std::string format_junit(const boost::json::object& report);

}  // namespace fleetsim::metrics

// Human-readable JSON text for reports: two-space indentation, and numbers written the way people
// write them (30.0, 0.125, 12000) rather than Boost.JSON 1.81's exponent form (3E1). Elements of
// arrays nested two levels deep or more (the timeline's points) take one line each, so a long
// run's timeline stays one line per interval rather than thirty.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace fleetsim::metrics {

std::string to_json_text(const boost::json::value& value);

}  // namespace fleetsim::metrics

// The merge patch of reference 4.4 (RFC 7386 semantics), applied in place.
#pragma once

#include <boost/json/object.hpp>

#include "twin/metadata.hpp"

namespace fleetsim::twin::detail {

// Merges a validated `patch` into `target`: null removes (a missing member is left alone), an
// object merges into the member (created, or replacing a non-object), anything else, arrays
// included, replaces. With a `metadata` node (see metadata.hpp), every member written and every
// object the patch passes through, the root included, gets `stamp`, and removed members lose
// their node.
void merge_patch(boost::json::object& target, boost::json::object* metadata, const boost::json::object& patch,
                 const Stamp& stamp);

}  // namespace fleetsim::twin::detail

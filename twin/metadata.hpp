// `$metadata` of the desired and reported sections (reference 4.5), kept beside the values.
//
// Layout: a metadata node mirrors an object of the section. It is a JSON object whose member
// named "" (a name no property can have, 4.2) holds the object's own stamp, and whose other
// members are the nodes of its members, under the same names. A leaf (any non-object value,
// arrays included) is represented by its stamp alone. A stamp is the write time in
// system_clock ticks since the Unix epoch (int64); for desired it is the pair [time, version],
// the version being the desired $version of the write. Numbers instead of formatted strings
// keep a twin small and a write free of allocations; the strings are made when read.
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "twin/document.hpp"

namespace fleetsim::twin::detail {

struct Stamp {
  std::int64_t time = 0;      // Timestamp ticks since the Unix epoch
  std::uint64_t version = 0;  // desired $version of the write; 0 for sections without one
};

inline constexpr std::string_view own_stamp_key = "";

Stamp make_stamp(Timestamp now, std::uint64_t version) noexcept;

// Stores `stamp` in `slot`, reusing the slot's storage when it already holds a stamp.
void write_stamp(boost::json::value& slot, const Stamp& stamp);

// A node for a whole new object: the object and everything in it stamped.
boost::json::object build_node(const boost::json::object& data, const Stamp& stamp);

// The "$metadata" object a service read shows for `data` with metadata node `node`: every object
// and leaf with "$lastUpdated" (and "$lastUpdatedVersion" where stamps carry one). A node without
// a stamp of its own shows its parent's; a root never written shows 0001-01-01T00:00:00Z.
boost::json::object render_metadata(const boost::json::object& data, const boost::json::object& node);

}  // namespace fleetsim::twin::detail

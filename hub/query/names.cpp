#include "hub/query/names.hpp"

#include <span>

namespace fleetsim::hub::query {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The top-level members of a service twin (reference 4.1).
constexpr std::string_view twin_members[] = {
    "deviceId",
    "moduleId",
    "etag",
    "deviceEtag",
    "version",
    "status",
    "statusReason",
    "statusUpdateTime",
    "connectionState",
    "lastActivityTime",
    "cloudToDeviceMessageCount",
    "authenticationType",
    "x509Thumbprint",
    "modelId",
    "capabilities",
    "deviceScope",
    "parentScopes",
    "tags",
    "properties",
};

struct Children {
  std::string_view parent;
  std::span<const std::string_view> names;
};

constexpr std::string_view property_sections[] = {"desired", "reported"};
constexpr std::string_view capability_names[] = {"iotEdge"};
constexpr std::string_view thumbprint_names[] = {"primaryThumbprint", "secondaryThumbprint"};

constexpr Children second_level[] = {
    {"properties", property_sections},
    {"capabilities", capability_names},
    {"x509Thumbprint", thumbprint_names},
};

std::string_view find(std::span<const std::string_view> names, std::string_view segment) noexcept {
  for (const std::string_view name : names) {
    if (equal_ignoring_case(name, segment)) return name;
  }
  return segment;
}

}  // namespace

std::string_view canonical_segment(std::string_view parent, std::size_t index,
                                   std::string_view segment) noexcept {
  if (index == 0) return find(twin_members, segment);
  if (index == 1) {
    for (const Children& children : second_level) {
      if (children.parent == parent) return find(children.names, segment);
    }
  }
  return segment;
}

}  // namespace fleetsim::hub::query

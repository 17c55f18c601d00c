#include "hub/twin_store.hpp"

namespace fleetsim::hub {

twin::Document& twin_of(Identity& identity) {
  if (!identity.twin) identity.twin = std::make_unique<twin::Document>();
  return *identity.twin;
}

boost::json::object service_twin(Identity& identity) {
  const twin::Document& twin = twin_of(identity);
  boost::json::object view;
  view["deviceId"] = identity.device_id();
  if (identity.is_module()) view["moduleId"] = identity.module_id();
  view["etag"] = twin.etag();
  view["version"] = twin.version();
  view["status"] = identity.enabled ? "enabled" : "disabled";
  view["connectionState"] = identity.connection != nullptr ? "Connected" : "Disconnected";
  view["tags"] = twin.tags();
  boost::json::object properties;
  properties["desired"] = twin.section_view(twin::Section::desired);
  properties["reported"] = twin.section_view(twin::Section::reported);
  view["properties"] = std::move(properties);
  return view;
}

}  // namespace fleetsim::hub

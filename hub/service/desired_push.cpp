#include "hub/service/desired_push.hpp"

#include "hub/connection.hpp"
#include "hub/replies.hpp"
#include "hub/twin_store.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub::service {

void push_whole_desired(HubContext& hub, Identity& identity) {
  Connection* connection = identity.connection;
  if (connection == nullptr || !connection->session().subscribed(Subscription::desired)) return;
  const twin::Document& twin = twin_of(identity);
  const std::uint64_t version = twin.desired_version();
  boost::json::object body = twin.desired();
  body["$version"] = static_cast<std::int64_t>(version);
  serialize_into(hub.body_scratch, body);
  hub.topic_scratch.clear();
  iothub::append_desired_patch_topic(hub.topic_scratch, version);
  hub.push_scratch.clear();
  append_publish(hub.push_scratch, hub.topic_scratch, hub.body_scratch);
  connection->send(hub.push_scratch);
  bump(hub.counters.desired_pushed);
}

}  // namespace fleetsim::hub::service

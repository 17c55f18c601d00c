// A desired-property change from the service side and its notification (reference 2.9).
#include "hub/connection.hpp"
#include "hub/replies.hpp"
#include "hub/twin_store.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {

twin::Result update_desired(HubContext& hub, Identity& identity, const boost::json::value& patch,
                            twin::Timestamp now) {
  twin::Document& twin = twin_of(identity);
  twin::Result result = twin.patch(twin::Section::desired, patch, now);
  if (!result) return result;
  Connection* connection = identity.connection;
  if (connection == nullptr || !connection->session().subscribed(Subscription::desired)) {
    return result;
  }
  const std::uint64_t version = twin.desired_version();
  serialize_into(hub.body_scratch, twin::Document::desired_notification(patch, version));
  hub.topic_scratch.clear();
  iothub::append_desired_patch_topic(hub.topic_scratch, version);
  hub.push_scratch.clear();
  append_publish(hub.push_scratch, hub.topic_scratch, hub.body_scratch);
  connection->send(hub.push_scratch);
  bump(hub.counters.desired_pushed);
  return result;
}

}  // namespace fleetsim::hub

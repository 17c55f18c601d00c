// Reported PATCH (reference 2.8, 2.11): a merge patch of `reported`, answered res/204 with the
// new reported $version and an empty body, or res/{status} with a JSON error body. The answer
// goes out only to a session subscribed to twin responses (hub choice of 2.5); the patch is
// applied either way. A `$version` on the request topic is accepted and ignored (2.8).
// With a tier, a twin update (5.1): over the rate res/429 and the patch is not applied, in a
// Basic tier res/403 (twin_throttle).
#include <boost/json/parse.hpp>

#include "hub/handlers.hpp"
#include "hub/replies.hpp"
#include "hub/twin_store.hpp"
#include "hub/twin_throttle.hpp"

namespace fleetsim::hub {
namespace {

// 400006 IotHubFormatError: the body is not JSON (reference 3.3).
const twin::Error& malformed_json_error() {
  static const twin::Error error{400, 400006, "The reported properties patch is not valid JSON."};
  return error;
}

}  // namespace

Verdict handle_reported_patch(HubContext& hub, const SessionState& session, const mqtt::Publish& publish,
                              const iothub::ParsedTopic& topic, twin::Timestamp now, Output& out) {
  bump(hub.counters.reported_patches);
  if (hub.throttle.enabled() &&
      !admit_twin_request(hub, session, ThrottleClass::twin_update, topic.rid, now, out)) {
    return Verdict::keep_open;
  }
  const bool answer = session.subscribed(Subscription::twin_response);
  boost::system::error_code ec;
  const boost::json::value patch = boost::json::parse(mqtt::as_string(publish.payload), ec);
  if (ec) {
    if (answer) append_twin_error(hub, out, topic.rid, malformed_json_error(), now);
    return Verdict::keep_open;
  }
  twin::Document& twin = twin_of(*session.identity);
  const twin::Result result = twin.patch(twin::Section::reported, patch, now);
  if (!answer) return Verdict::keep_open;
  if (!result) {
    append_twin_error(hub, out, topic.rid, result.error(), now);
    return Verdict::keep_open;
  }
  hub.topic_scratch.clear();
  iothub::append_twin_response_topic(hub.topic_scratch, 204, topic.rid, twin.reported_version());
  append_publish(out, hub.topic_scratch, {});
  return Verdict::keep_open;
}

}  // namespace fleetsim::hub

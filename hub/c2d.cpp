#include "hub/c2d.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "hub/connection.hpp"
#include "hub/hub_context.hpp"
#include "hub/replies.hpp"
#include "transports/iothub/topics.hpp"

namespace fleetsim::hub {
namespace {

// `count` decimal digits at `text[at]`; nullopt if any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) noexcept {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is_c2d_for(const SessionState& session) noexcept {
  return session.identity != nullptr && !session.identity->is_module();
}

}  // namespace

void append_c2d_property(std::string& bag, std::string_view key, std::string_view value) {
  if (!bag.empty()) bag += '&';
  iothub::append_url_encoded(bag, key);
  bag += '=';
  iothub::append_url_encoded(bag, value);
}

std::optional<twin::Timestamp> parse_iso8601(std::string_view text) noexcept {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                            std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  std::size_t at = 19;
  nanoseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::size_t first = at;
    std::int64_t scale = 100'000'000;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      fraction += nanoseconds((text[at] - '0') * scale);
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  minutes offset{0};
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const auto offset_hours = digits(text, at + 1, 2);
    const auto offset_minutes = digits(text, at + 4, 2);
    if (!offset_hours || !offset_minutes || text[at + 3] != ':') return std::nullopt;
    offset = hours(*offset_hours) + minutes(*offset_minutes);
    if (text[at] == '-') offset = -offset;
    at += 6;
  } else {
    return std::nullopt;  // a time without a zone is ambiguous
  }
  if (at != text.size()) return std::nullopt;
  const auto local = sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) + fraction;
  return time_point_cast<twin::Timestamp::duration>(local - offset);
}

bool C2dQueues::enqueue(Identity& device, C2dMessage message, twin::Timestamp now) {
  auto it = queues_.find(device.device_id());
  if (it == queues_.end()) it = queues_.emplace(std::string(device.device_id()), Queue{}).first;
  Queue& queue = it->second;
  if (queue.messages.size() >= max_waiting) drop_expired(queue, now);
  if (queue.messages.size() >= max_waiting) return false;
  message.packet_id = 0;
  message.delivered_before = false;
  queue.messages.push_back(std::move(message));
  bump(hub_.counters.c2d_accepted);

  Connection* connection = device.connection;
  if (connection != nullptr && connection->session().subscribed(Subscription::c2d)) {
    hub_.push_scratch.clear();
    deliver(connection->session(), now, hub_.push_scratch);
    connection->send(hub_.push_scratch);
  }
  return true;
}

void C2dQueues::deliver(SessionState& session, twin::Timestamp now, std::vector<std::uint8_t>& out) {
  if (!is_c2d_for(session) || !session.subscribed(Subscription::c2d)) return;
  const auto it = queues_.find(session.identity->device_id());
  if (it == queues_.end()) return;
  Queue& queue = it->second;
  if (queue.session != &session) {
    // In flight on an earlier session (or none): this session starts afresh, with DUP on those.
    for (C2dMessage& message : queue.messages) message.packet_id = 0;
    queue.session = &session;
  }
  std::size_t in_flight = 0;
  for (const C2dMessage& message : queue.messages) in_flight += message.packet_id != 0 ? 1 : 0;

  for (auto m = queue.messages.begin(); m != queue.messages.end() && in_flight < max_in_flight;) {
    if (m->packet_id != 0) {
      ++m;
      continue;
    }
    if (m->expiry <= now) {
      m = queue.messages.erase(m);
      bump(hub_.counters.c2d_expired);
      continue;
    }
    m->packet_id = next_packet_id(session, queue);
    hub_.topic_scratch.clear();
    iothub::append_c2d_topic(hub_.topic_scratch, session.identity->device_id(), m->bag);
    mqtt::Publish publish;
    publish.qos = 1;
    publish.dup = m->delivered_before;
    publish.packet_id = m->packet_id;
    publish.topic = hub_.topic_scratch;
    publish.payload = mqtt::as_bytes(m->body);
    append_packet(out, publish);
    m->delivered_before = true;
    ++in_flight;
    bump(hub_.counters.c2d_delivered);
    ++m;
  }
  if (queue.messages.empty()) queues_.erase(it);
}

void C2dQueues::acknowledged(SessionState& session, std::uint16_t packet_id, twin::Timestamp now,
                             std::vector<std::uint8_t>& out) {
  if (!is_c2d_for(session) || packet_id == 0) return;
  const auto it = queues_.find(session.identity->device_id());
  if (it == queues_.end() || it->second.session != &session) return;
  auto& messages = it->second.messages;
  const auto m = std::find_if(messages.begin(), messages.end(), [packet_id](const C2dMessage& message) {
    return message.packet_id == packet_id;
  });
  if (m == messages.end()) return;
  messages.erase(m);
  bump(hub_.counters.c2d_completed);
  if (messages.empty()) {
    queues_.erase(it);
    return;
  }
  deliver(session, now, out);
}

void C2dQueues::session_closed(const SessionState& session) {
  if (!is_c2d_for(session)) return;
  const auto it = queues_.find(session.identity->device_id());
  if (it == queues_.end() || it->second.session != &session) return;
  for (C2dMessage& message : it->second.messages) message.packet_id = 0;
  it->second.session = nullptr;
}

void C2dQueues::sweep(twin::Timestamp now) {
  for (auto it = queues_.begin(); it != queues_.end();) {
    const bool device_exists = hub_.registry.find(it->first) != nullptr;
    if (device_exists) drop_expired(it->second, now);
    if (!device_exists || it->second.messages.empty()) {
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
}

void C2dQueues::drop(std::string_view device_id) {
  const auto it = queues_.find(device_id);
  if (it != queues_.end()) queues_.erase(it);
}

std::string C2dQueues::new_message_id() {
  constexpr std::string_view hex = "0123456789abcdef";
  const std::uint64_t high = message_ids_();
  const std::uint64_t low = message_ids_();
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
    std::uint64_t nibble = i < 16 ? (high >> (60 - 4 * i)) & 0xF : (low >> (60 - 4 * (i - 16))) & 0xF;
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // variant 10xx
    id += hex[nibble];
  }
  return id;
}

std::size_t C2dQueues::waiting(std::string_view device_id) const {
  const auto it = queues_.find(device_id);
  return it == queues_.end() ? 0 : it->second.messages.size();
}

// In flight ones too: a PUBACK that comes after expiry finds nothing, like a late one.
std::size_t C2dQueues::drop_expired(Queue& queue, twin::Timestamp now) {
  const std::size_t before = queue.messages.size();
  std::erase_if(queue.messages, [now](const C2dMessage& message) { return message.expiry <= now; });
  const std::size_t dropped = before - queue.messages.size();
  hub_.counters.c2d_expired.fetch_add(dropped, std::memory_order_relaxed);
  return dropped;
}

// The session's next id that none of the queue's in-flight messages carries (never 0).
std::uint16_t C2dQueues::next_packet_id(SessionState& session, const Queue& queue) const {
  for (;;) {
    if (++session.last_packet_id == 0) session.last_packet_id = 1;
    const std::uint16_t id = session.last_packet_id;
    const bool taken = std::any_of(queue.messages.begin(), queue.messages.end(),
                                   [id](const C2dMessage& message) { return message.packet_id == id; });
    if (!taken) return id;
  }
}

}  // namespace fleetsim::hub

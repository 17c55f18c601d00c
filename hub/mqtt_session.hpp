// One MQTT connection on the hub side: a coroutine that waits for readability, reads what is
// there into the hub thread's shared buffer, decodes every complete packet in place and hands it
// to the sans-I/O handlers (handlers.hpp), then writes their answers.
//
// Stream is the transport: it must offer async_wait(wait_read), non-blocking read_some and
// write_some with an error_code, close(error_code), and work with asio::async_write. A plain
// tcp::socket does; TLS and WebSocket streams come as adapters with the same surface, so the
// session logic is written once.
//
// Lifetime: the endpoint allocates a session and links it into its list; the session deletes
// itself once its reader coroutine has finished and no write is in flight, which is the last
// moment anything refers to it.
//
// Thread safety: none; the hub thread only. Internal header of the endpoint.
#pragma once

#include <chrono>
#include <exception>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "hub/handlers.hpp"
#include "hub/mqtt_session_base.hpp"

namespace fleetsim::hub {

template <class Stream>
class MqttSession final : public SessionBase {
 public:
  MqttSession(EndpointShared& shared, Stream stream)
      : SessionBase(Clock::now()), shared_(shared), stream_(std::move(stream)) {
    bump(shared_.hub.counters.connections_accepted);
    shared_.hub.counters.connections_open.fetch_add(1, std::memory_order_relaxed);
  }

  // Only reached with the session closed, except when the endpoint is destroyed with sessions
  // left; closing then still unlinks the identity.
  ~MqttSession() override { close(); }

  // The reader: one per session, for the session's whole life.
  boost::asio::awaitable<void> run() {
    namespace asio = boost::asio;
    while (!closed_ && !closing_) {
      const auto [ec] = co_await stream_.async_wait(Stream::wait_read, asio::as_tuple(asio::use_awaitable));
      if (ec || closed_) break;
      read_available();
    }
    // A session closing after its last answers is closed by the writer once they are out.
    if (!closing_) close();
  }

  // Called by the completion handler of run(), whatever ended it.
  void reader_finished() {
    reader_done_ = true;
    delete_if_finished();
  }

  void send(mqtt::Bytes packets) override {
    if (closed_ || packets.empty()) return;
    if (writing_) {
      queue(packets);
      return;
    }
    // Most answers fit the socket's send buffer: write at once and keep nothing.
    boost::system::error_code ec;
    std::size_t written = stream_.write_some(boost::asio::buffer(packets.data(), packets.size()), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      written = 0;
    } else if (ec) {
      close();
      return;
    }
    if (written == packets.size()) return;
    queue(packets.subspan(written));
    start_write();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    release_identity();
    shared_.hub.counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    boost::system::error_code ignored;
    stream_.close(ignored);  // completes the reader's wait and any write with operation_aborted
    std::vector<std::uint8_t>().swap(partial_);
    std::vector<std::uint8_t>().swap(pending_);
  }

 private:
  void expire() override {
    if (closed_) return;
    bump(shared_.hub.counters.keep_alive_expired);
    close();
  }

  // Drains the socket: with edge-triggered readiness, stopping while bytes remain would leave
  // the next wait hanging. A short read means the socket was empty at that moment.
  void read_available() {
    auto& buffer = shared_.read_buffer;
    while (!closed_ && !closing_) {
      boost::system::error_code ec;
      const std::size_t n = stream_.read_some(boost::asio::buffer(buffer), ec);
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) return;
      if (ec) {  // end of stream or reset
        close();
        return;
      }
      heard_from(Clock::now());
      on_bytes(mqtt::Bytes(buffer.data(), n));
      if (n < buffer.size()) return;
    }
  }

  void on_bytes(mqtt::Bytes fresh) {
    mqtt::Bytes input = fresh;
    const bool from_partial = !partial_.empty();
    if (from_partial) {
      partial_.insert(partial_.end(), fresh.begin(), fresh.end());
      input = partial_;
    }
    Output& answers = shared_.answers;
    answers.clear();
    const auto now = std::chrono::system_clock::now();
    Verdict verdict = Verdict::keep_open;
    std::size_t offset = 0;
    std::size_t needed = 0;
    while (offset < input.size()) {
      const mqtt::DecodeResult result = mqtt::decode(input.subspan(offset), shared_.decode_limits);
      if (result.status == mqtt::DecodeResult::Status::need_more) {
        needed = result.needed;
        break;
      }
      if (result.status == mqtt::DecodeResult::Status::error) {
        // A malformed or oversized packet ends this connection only (STYLE.md practice 12).
        bump(shared_.hub.counters.protocol_errors);
        verdict = Verdict::close;
        break;
      }
      offset += result.consumed;
      verdict = handle_packet(shared_.hub, *this, result.packet, now, answers);
      if (verdict == Verdict::close) break;
    }
    if (verdict == Verdict::keep_open) keep_partial(input, offset, from_partial, needed);
    send(answers);
    if (verdict == Verdict::close) close_after_answers();
  }

  // Keeps only the unfinished packet at the end of the input, sized for the whole packet once
  // its header told how long it is; an idle session keeps no buffer.
  void keep_partial(mqtt::Bytes input, std::size_t offset, bool from_partial, std::size_t needed) {
    if (offset == input.size()) {
      std::vector<std::uint8_t>().swap(partial_);
      return;
    }
    if (from_partial) {
      partial_.erase(partial_.begin(), partial_.begin() + static_cast<std::ptrdiff_t>(offset));
    } else {
      partial_.assign(input.begin() + static_cast<std::ptrdiff_t>(offset), input.end());
    }
    if (needed > partial_.capacity()) partial_.reserve(needed);
  }

  void close_after_answers() {
    if (closed_) return;
    closing_ = true;
    if (!writing_) close();
  }

  void queue(mqtt::Bytes packets) {
    if (in_flight_.size() + pending_.size() + packets.size() > shared_.limits.max_pending_output) {
      bump(shared_.hub.counters.slow_consumers);
      close();
      return;
    }
    pending_.insert(pending_.end(), packets.begin(), packets.end());
  }

  // One write in flight at a time; what arrives meanwhile waits in pending_ (in order).
  void start_write() {
    if (closed_ || pending_.empty()) return;
    in_flight_.swap(pending_);
    writing_ = true;
    boost::asio::async_write(stream_, boost::asio::buffer(in_flight_),
                             [this](const boost::system::error_code& ec, std::size_t) { on_written(ec); });
  }

  void on_written(const boost::system::error_code& ec) {
    writing_ = false;
    in_flight_.clear();
    if (ec) close();
    if (!closed_) {
      if (!pending_.empty()) {
        start_write();
        return;
      }
      std::vector<std::uint8_t>().swap(in_flight_);
      if (closing_) close();
    }
    delete_if_finished();
  }

  void delete_if_finished() {
    if (reader_done_ && !writing_) delete this;
  }

  EndpointShared& shared_;
  Stream stream_;
  std::vector<std::uint8_t> partial_;    // an incomplete packet, only while one is
  std::vector<std::uint8_t> pending_;    // output waiting for the write in flight
  std::vector<std::uint8_t> in_flight_;  // output being written
  bool closed_ = false;
  bool closing_ = false;  // answers to send, then close
  bool writing_ = false;
  bool reader_done_ = false;
};

}  // namespace fleetsim::hub

// One MQTT connection on the hub side, over any transport (transports::Stream: TCP, TLS,
// WebSocket, WebSocket over TLS; handshakes are done before the session starts): a coroutine
// that waits for readability, reads what is there into the hub thread's shared buffer, decodes
// every complete packet in place and hands it to the sans-I/O handlers (handlers.hpp), then
// writes their answers without blocking; output the stream does not take at once waits in the
// session (bounded) and is flushed when the stream is writable again.
//
// Memory: an idle session holds its stream (no buffers: TLS releases its record buffers) and
// this object; a partial packet or unsent output only while there is one.
//
// Lifetime: the endpoint allocates a session and links it into its list; the session deletes
// itself once its reader coroutine has finished and no flush is in flight, which is the last
// moment anything refers to it.
//
// Thread safety: none; the hub thread only. Internal header of the endpoint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hub/mqtt_session_base.hpp"
#include "transports/stream/stream.hpp"

namespace fleetsim::hub {

class MqttSession final : public SessionBase {
 public:
  MqttSession(EndpointShared& shared, transports::Stream stream);
  // Only reached with the session closed, except when the endpoint is destroyed with sessions
  // left; closing then still unlinks the identity.
  ~MqttSession() override;

  // The reader: one per session, for the session's whole life.
  boost::asio::awaitable<void> run();
  // Called by the completion handler of run(), whatever ended it.
  void reader_finished();

  void send(mqtt::Bytes packets) override;
  void close() override;
  bool peer_certificate(transports::PeerCertificate& out) const override;

 private:
  void expire() override;
  void read_available();
  void on_bytes(mqtt::Bytes fresh);
  void keep_partial(mqtt::Bytes input, std::size_t offset, bool from_partial, std::size_t needed);
  void close_after_answers();
  bool queue(mqtt::Bytes packets);
  void flush_when_writable();
  void on_writable(const boost::system::error_code& ec);
  void delete_if_finished();

  EndpointShared& shared_;
  transports::Stream stream_;
  std::vector<std::uint8_t> partial_;  // an incomplete packet, only while one is
  std::vector<std::uint8_t> pending_;  // output the stream has not taken yet, in order
  std::size_t pending_written_ = 0;    // bytes at the front of pending_ already written
  bool closed_ = false;
  bool closing_ = false;   // answers to send, then close
  bool flushing_ = false;  // a wait for writability is in flight
  bool reader_done_ = false;
};

}  // namespace fleetsim::hub

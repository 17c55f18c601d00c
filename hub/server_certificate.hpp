// The hub's own TLS material, for when it is given no certificate (issue 4, reference 8.2): a
// local CA and a server certificate signed by it (ECDSA P-256; SAN DNS:localhost, IP:127.0.0.1
// and the configured host name), made once in the hub's data folder as ca.pem, ca.key,
// server.pem and server.key, and reused by later starts while they still fit. Clients trust
// ca.pem (NODE_EXTRA_CA_CERTS, a scenario's target.ca_file).
//
// Thread safety: call from one thread per process; processes sharing a data folder serialize on
// an advisory lock in it. Blocking file I/O: never call it on an event-loop thread.
#pragma once

#include <string>
#include <string_view>

namespace fleetsim::hub {

// $XDG_DATA_HOME/fleetsim/hub, else $HOME/.local/share/fleetsim/hub, else ./fleetsim-hub-data.
std::string default_data_dir();

struct ServerCertificateFiles {
  std::string cert_file;  // server.pem
  std::string key_file;   // server.key
  std::string ca_file;    // ca.pem: what clients trust
};

// Creates `data_dir` (mode 0700) if needed. Reuses ca.pem/ca.key when the key matches and the
// CA is valid for at least another day, otherwise makes a new CA (and a new server certificate).
// Reuses server.pem/server.key when they are signed by that CA, cover `host_name`, localhost and
// 127.0.0.1, and stay valid for at least another day; otherwise issues new ones. Throws
// tls::TlsError or std::filesystem::filesystem_error, with the path in the message.
ServerCertificateFiles ensure_server_certificate(const std::string& data_dir, std::string_view host_name);

}  // namespace fleetsim::hub

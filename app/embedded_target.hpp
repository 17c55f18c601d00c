// The embedded hub as the target of a run: the listener the scenario's transport needs, the
// fleet's identities registered (SAS keys, or CA-authenticated X.509 certificates), and the
// endpoint the fleet connects to.
#pragma once

#include <optional>

#include "app/commands.hpp"
#include "hub/hub.hpp"
#include "sim/fleet.hpp"
#include "sim/scenario.hpp"
#include "sim/x509_identities.hpp"
#include "transports/http/service_client.hpp"

namespace fleetsim::app {

// fleet.auth = "x509": the shard's certificates, from the cache or made now (printing what it
// did unless `quiet`). nullopt for SAS. Throws std::runtime_error naming the cache folder.
std::optional<sim::X509Identities> prepare_x509_identities(const sim::Scenario& scenario, const Shard& shard,
                                                           bool quiet);

// Listeners on free loopback ports: plain MQTT always, plus MQTT over TLS (mqtt-tls), HTTP
// (mqtt-ws) or HTTPS (mqtt-wss), and HTTPS for the service API when the scenario has [[backend]]
// actions; with identities, their CA trusted for client certificates.
hub::HubConfig embedded_hub_config(const sim::Scenario& scenario, const sim::X509Identities* identities);

// Registers the shard's identities (CA-authenticated when `x509`) and starts the hub. Throws
// what Hub::start() throws.
void start_embedded_hub(hub::Hub& hub, const sim::Scenario& scenario, const Shard& shard, bool x509);

// Where the fleet connects: the started hub's listener for the transport, trusting the scenario's
// ca_file or else the hub's own CA.
sim::Endpoint embedded_endpoint(const hub::Hub& hub, const sim::Scenario& scenario);

// The started hub's service API for the [[backend]] actions: its HTTPS listener on 127.0.0.1,
// HostName as the hub names itself, the iothubowner policy and key of
// Hub::service_connection_string(). The CA comes from the fleet's Endpoint (embedded_endpoint).
transports::http::ServiceEndpoint embedded_service_endpoint(hub::Hub& hub);

}  // namespace fleetsim::app

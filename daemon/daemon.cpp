#include "daemon/daemon.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/thread_pool.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>

#include "common/files.h"
#include "common/tls_cert.h"
#include "daemon/app.h"
#include "daemon/config.h"
#include "daemon/http/pipeline.h"
#include "daemon/http/tls_identity.h"
#include "daemon/jobs/maintenance.h"
#include "daemon/jobs/scheduler.h"
#include "daemon/bridges/inbox.h"
#include "daemon/bridges/registry.h"
#include "daemon/bridges/sends.h"
#include "daemon/bridges/withdrawals.h"
#include "daemon/outbox/outbox.h"
#include "daemon/ledger/ledger.h"
#include "daemon/mail/mailer.h"
#include "daemon/modules/module.h"
#include "daemon/modules/omnipass/tokens.h"
#include "daemon/modules/ownership.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/log.h"
#include "daemon/modules/omnipass/bootstrap.h"
#include "daemon/notify.h"
#include "daemon/store/local_cluster.h"
#include "daemon/store/migrations.h"
#include "daemon/store/pool.h"

namespace og {

namespace {

namespace fs = std::filesystem;

// Writes a file atomically (temp + rename) with the given mode.
void write_private_file(const fs::path& path, const std::string& content, mode_t mode) {
  files::write_atomic(path, content, mode);
}

// Every directory of --dev's data dir; when root, traversable by the cluster's user.
void prepare_dev_dir(const fs::path& dir) {
  fs::create_directories(dir / "tls");
  ::chmod(dir.c_str(), geteuid() == 0 ? 0711 : 0700);
  ::chmod((dir / "tls").c_str(), 0700);
  if (!fs::exists(dir / "tls" / "cert.pem") || !fs::exists(dir / "tls" / "key.pem")) {
    tls::write_pem_pair(tls::make_self_signed({}), dir / "tls" / "cert.pem", dir / "tls" / "key.pem");
  }
}

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

int run_daemon(const DaemonOptions& opt) {
  // Block termination signals in every thread; the main thread waits for them below.
  sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Config config;
  fs::path data_dir;
  bool ephemeral = false;
  try {
    if (opt.dev) {
      if (opt.data_dir) {
        data_dir = fs::absolute(*opt.data_dir);
      } else {
        char tmpl[] = "/tmp/omnid-dev-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot create a temporary data directory");
        data_dir = tmpl;
        ephemeral = true;
      }
      config = dev_config(data_dir, opt.port);
    } else {
      config = load_config(opt.config_file);
    }
  } catch (const std::exception& e) {
    std::cerr << "omnid: " << e.what() << "\n";
    return 2;
  }
  if (opt.check_config) {
    std::cout << "omnid: configuration " << opt.config_file.string() << " is valid\n";
    return 0;
  }
  log::Level level = log::Level::Info;
  log::parse_level(config.log.level, level);
  log::set_level(level);

  int exit_code = 0;
  std::unique_ptr<store::LocalCluster> cluster;
  try {
    if (opt.dev) prepare_dev_dir(data_dir);

    // Database.
    std::string conninfo;
    if (config.database.mode == "local") {
      store::LocalClusterOptions lo;
      lo.dir = config.database.local_dir;
      lo.run_as = config.database.local_run_as;
      lo.bindir = config.database.local_bindir;
      cluster = std::make_unique<store::LocalCluster>(lo);
      log::info("starting the local PostgreSQL cluster", {{"dir", lo.dir.string()}});
      cluster->start();
      conninfo = cluster->conninfo();
    } else {
      conninfo = config.database.url;
    }
    store::Pool pool(conninfo, static_cast<std::size_t>(config.database.pool_size));
    // Login throttling commits its counts on its own while a request's transaction is open
    // (omnipass/accounts.h reserve_attempt): two connections of their own, so that a burst
    // of logins holding every pooled connection cannot starve it.
    store::Pool throttle_pool(conninfo, 2);
    int version = 0;
    {
      auto conn = pool.acquire(std::chrono::seconds(30));
      version = store::migrate(*conn);
    }
    log::info("database ready", {{"schemaversion", version}, {"mode", config.database.mode}});

    std::optional<omnipass::NewApiKey> dev_key;
    if (opt.dev) {
      auto conn = pool.acquire();
      dev_key = omnipass::ensure_dev_admin(*conn);
    }

    // HTTP.
    http::Authenticator auth(pool, std::chrono::seconds(config.auth.apikey_cache_seconds));
    boost::asio::thread_pool workers(static_cast<std::size_t>(std::max(1, config.server.worker_threads)));
    // Where the ledger hands its outcomes: to the I/O threads while the server runs (they
    // render and write the answers themselves: no hop through the worker pool), else to
    // the workers.
    struct OutcomeRoute {
      std::mutex mu;
      http::Server* server = nullptr;
    } route;
    ledger::Ledger ledger(conninfo, pool,
                          {.committers = static_cast<std::size_t>(config.ledger.committers),
                           .max_batch = static_cast<std::size_t>(config.ledger.max_batch),
                           .balance_cache = static_cast<std::size_t>(config.ledger.balance_cache),
                           .batch_wait_us = static_cast<std::size_t>(config.ledger.batch_wait_us),
                           .deliver = [&workers, &route](std::function<void()> f) {
                             std::lock_guard lock(route.mu);
                             if (route.server) route.server->post(std::move(f));
                             else boost::asio::post(workers, std::move(f));
                           }});
    // Secrets at rest: encrypted when the database has a keyring (made by omnictl install);
    // then every component stays locked until the application password is supplied.
    bool keyring = false;
    {
      auto conn = pool.acquire();
      pqxx::read_transaction tx(*conn);
      keyring = secrets::has_keyring(tx);
    }
    secrets::PlainSecretStore plain_store;
    secrets::EncryptedSecretStore encrypted_store;
    secrets::SecretStore& secret_store =
        keyring ? static_cast<secrets::SecretStore&>(encrypted_store) : static_cast<secrets::SecretStore&>(plain_store);
    if (keyring)
      log::info("secrets are encrypted at rest: omnipass, omnibridge and omnipay are locked until unlocked "
                "with the application password (omnictl unlock --all)");
    else if (opt.dev)
      log::info("--dev: no keyring, secrets are stored unencrypted and every component is unlocked");
    else
      log::warn("this database has no keyring: secrets are stored unencrypted and every component is unlocked "
                "(a database set up by omnictl install has one)");
    omnipass::TokenService tokens(pool, secret_store, std::chrono::seconds(config.omnipass.token_lifetime_seconds),
                                  config.omnipass.issuer);
    tokens.set_rotation(std::chrono::seconds(config.omnipass.signing_key_rotation_seconds));
    tokens.start();
    auth.set_token_verifier(&tokens);
    std::unique_ptr<mail::Mailer> mailer;
    if (config.mail.transport == "directory") {
      mailer = mail::directory_mailer(config.mail.directory, config.mail.from);
    } else if (config.mail.transport == "smtp") {
      mail::SmtpSettings smtp;
      smtp.host = config.mail.smtp_host;
      smtp.port = config.mail.smtp_port;
      smtp.tls = *mail::parse_tls(config.mail.smtp_tls);
      smtp.username = config.mail.smtp_username;
      smtp.password = config.mail.smtp_password;
      smtp.from = config.mail.from;
      smtp.cacert = config.mail.smtp_cacert.string();
      mailer = mail::smtp_mailer(smtp);
    }
    App app{config, pool, auth};
    app.throttle_pool = &throttle_pool;
    app.ledger = &ledger;
    app.tokens = &tokens;
    app.secrets = &secret_store;
    if (keyring) {
      app.encrypted = &encrypted_store;
      for (auto i : {ComponentLocks::Omnipass, ComponentLocks::Omnibridge, ComponentLocks::Omnipay})
        app.locks.set_locked(i, true);
    }
    app.mailer = mailer.get();
    app.schema_version = version;
    // Work outside requests: on one node at a time, under leases in the database.
    jobs::Scheduler scheduler(conninfo, {.node = config.jobs.node,
                                         .lease = std::chrono::seconds(config.jobs.lease_seconds)});
    const jobs::MaintenanceSettings housekeeping{
        .idempotency_retention = std::chrono::hours(config.ledger.idempotency_retention_hours),
        .sent_retention = std::chrono::hours(config.outbox.keep_sent_hours)};
    scheduler.add({"maintenance", std::chrono::seconds(config.jobs.maintenance_interval_seconds),
                   [&](jobs::JobContext&) { jobs::run_maintenance(pool, housekeeping); }});
    // Checked four times per rotation period (at least every second, at most every minute).
    auto rotation_check = std::clamp<std::chrono::milliseconds>(
        std::chrono::seconds(config.omnipass.signing_key_rotation_seconds) / 4, std::chrono::seconds(1),
        std::chrono::minutes(1));
    scheduler.add({"signing-keys", rotation_check, [&](jobs::JobContext&) { tokens.rotate_if_due(); }});
    const outbox::Settings outbox_settings{
        .max_age = std::chrono::hours(config.outbox.max_age_hours),
        .backoff_initial = std::chrono::seconds(config.outbox.retry_initial_seconds),
        .backoff_max = std::chrono::seconds(config.outbox.retry_max_seconds)};
    scheduler.add({"outbox", std::chrono::seconds(1), [&](jobs::JobContext& ctx) {
                     auto round = outbox::deliver_due(pool, secret_store, mailer.get(), outbox_settings,
                                                      [&] { return ctx.held(); });
                     if (round.sent > 0) log::info("outbox delivered", {{"sent", round.sent}});
                   }});
    // Bridges: deposits seen outside are credited from the inbox; push bridges send their
    // withdrawals (daemon/bridges/, docs/bridges.md).
    bridges::Bridges bridge_set(config.bridges);
    app.bridges = &bridge_set;
    for (const auto& b : bridge_set.all()) b->attach({.pool = &pool, .secrets = &secret_store, .ledger = &ledger});
    // A round is a batch; while a batch was full and went through, the next one starts at
    // once rather than a second later (a burst of deposits is credited at the ledger's pace).
    scheduler.add({"bridge-inbox", std::chrono::seconds(1), [&](jobs::JobContext& ctx) {
                     for (;;) {
                       auto round = bridges::credit_received(pool, ledger, bridge_set, [&] { return ctx.held(); });
                       const int done = round.credited + round.unmatched + round.refused;
                       if (done > 0)
                         log::info("bridge inbox", {{"credited", round.credited},
                                                    {"unmatched", round.unmatched},
                                                    {"refused", round.refused}});
                       if (!round.more || done == 0 || !ctx.held()) break;
                     }
                   }});
    const bridges::WithdrawalSettings withdrawal_settings{
        .retry_initial = std::chrono::seconds(config.outbox.retry_initial_seconds),
        .retry_max = std::chrono::seconds(config.outbox.retry_max_seconds)};
    for (const auto& b : bridge_set.all()) {
      bridges::Bridge& bridge = *b;
      // Watchers of the outside (the XRP Ledger's account_tx): what arrived goes to the inbox.
      if (auto every = bridge.watch_interval())
        scheduler.add({"bridge-watch:" + bridge.key(), *every, [&](jobs::JobContext& ctx) {
                         int seen = bridge.watch([&] { return ctx.held(); });
                         if (seen > 0) {
                           log::info("bridge deposits seen", {{"bridge", bridge.key()}, {"recorded", seen}});
                           if (app.jobs) app.jobs->wake("bridge-inbox");
                         }
                       }});
      if (bridge.delivery() != bridges::Bridge::Delivery::Push) continue;
      // Likewise: while a round was full and moved something, the next starts at once.
      scheduler.add({"bridge-withdrawals:" + bridge.key(), std::chrono::seconds(1), [&](jobs::JobContext& ctx) {
                       for (;;) {
                         auto round = bridges::run_withdrawals(pool, ledger, bridge, withdrawal_settings,
                                                               [&] { return ctx.held(); });
                         const int done = round.submitted + round.completed + round.failed;
                         if (done > 0)
                           log::info("bridge withdrawals", {{"bridge", bridge.key()},
                                                            {"submitted", round.submitted},
                                                            {"completed", round.completed},
                                                            {"failed", round.failed}});
                         if (!round.more || done == 0 || !ctx.held()) break;
                       }
                       // Sends the ledger does not book (currency/issueiou): the same care.
                       for (;;) {
                         auto round = bridges::run_sends(pool, bridge, withdrawal_settings, [&] { return ctx.held(); });
                         const int done = round.submitted + round.completed + round.failed;
                         if (done > 0)
                           log::info("bridge sends", {{"bridge", bridge.key()},
                                                      {"submitted", round.submitted},
                                                      {"completed", round.completed},
                                                      {"failed", round.failed}});
                         if (!round.more || done == 0 || !ctx.held()) break;
                       }
                     }});
    }
    scheduler.start();
    app.jobs = &scheduler;
    log::info("jobs started", {{"node", scheduler.node()}, {"lease_seconds", config.jobs.lease_seconds}});
    Registry registry;
    register_all(registry);
    std::unique_ptr<http::RateLimiter> limiter;
    if (config.rate_limit.enabled)
      limiter = std::make_unique<http::RateLimiter>(config.rate_limit.requests_per_second, config.rate_limit.burst);
    http::Pipeline pipeline(app, auth, registry, OwnerCheck{pipeline_checks_owner, check_owner}, workers, limiter.get(),
                            {.log_requests = config.log.requests,
                             .auth_failure_burst = config.auth.failure_burst,
                             .auth_failures_per_second = config.auth.failures_per_second});

    http::ServerOptions so;
    std::unique_ptr<http::TlsIdentity> tls_identity;  // outlives the server: SIGHUP replaces its pair
    if (!config.server.listen.empty()) {
      so.https = http::parse_endpoint(config.server.listen);
      so.tls = http::make_tls_context(config.tls.cert_file.string(), config.tls.key_file.string(), tls_policy(config));
      tls_identity = std::make_unique<http::TlsIdentity>(config.tls.cert_file, config.tls.key_file);
      tls_identity->attach(*so.tls);
    }
    if (!config.server.http_listen.empty()) so.http = http::parse_endpoint(config.server.http_listen);
    so.io_threads = config.server.io_threads;
    so.max_body_bytes = config.server.max_body_bytes;
    so.max_header_bytes = config.server.max_header_bytes;
    so.handshake_timeout = std::chrono::seconds(config.server.handshake_timeout_seconds);
    so.header_timeout = std::chrono::seconds(config.server.header_timeout_seconds);
    so.read_timeout = std::chrono::seconds(config.server.read_timeout_seconds);
    so.idle_timeout = std::chrono::seconds(config.server.idle_timeout_seconds);
    so.write_timeout = std::chrono::seconds(config.server.write_timeout_seconds);
    so.max_connections = config.server.max_connections;
    so.max_connections_per_address = config.server.max_connections_per_address;
    http::Server server(so, pipeline);
    server.start();
    // Outcomes go to the workers again before the server stops (or is destroyed).
    struct Unroute {
      OutcomeRoute& r;
      ~Unroute() { off(); }
      void off() {
        std::lock_guard lock(r.mu);
        r.server = nullptr;
      }
    } unroute{route};
    {
      std::lock_guard lock(route.mu);
      route.server = &server;
    }

    Json listening = Json::object();
    if (server.https_port()) listening["https"] = so.https->address().to_string() + ":" + std::to_string(server.https_port());
    if (server.http_port()) listening["http"] = so.http->address().to_string() + ":" + std::to_string(server.http_port());
    log::info("omnid ready",
              {{"listening", listening}, {"handlers", registry.size()}, {"dev", opt.dev}, {"locked", keyring}});
    log::flush();  // whoever waits for this line should not wait for the next flush

    if (opt.dev) {
      std::string url = "https://127.0.0.1:" + std::to_string(server.https_port());
      fs::path cacert = config.tls.cert_file;
      write_private_file(data_dir / "omnictl.env",
                         "# Written by omnid --dev. Source it: . " + (data_dir / "omnictl.env").string() + "\n" +
                             "OMNICTL_URL=" + url + "\nOMNICTL_APIKEY=" + dev_key->apikey +
                             "\nOMNICTL_CACERT=" + cacert.string() +
                             "\nexport OMNICTL_URL OMNICTL_APIKEY OMNICTL_CACERT\n",
                         0600);
      std::cout << "omnid --dev is ready (development mode: never use it for real money).\n"
                << "  URL:      " << url << "  (127.0.0.1 only)\n"
                << "  API key:  " << dev_key->apikey << "  (role system-admin; shown once)\n"
                << "  CA file:  " << cacert.string() << "\n"
                << "  Data:     " << data_dir.string() << (ephemeral ? "  (removed on exit)" : "") << "\n\n"
                << "In another shell:\n"
                << "  . " << (data_dir / "omnictl.env").string() << "\n"
                << "  omnictl api GET /api/v1/system/health\n\n"
                << "Ctrl-C stops omnid and everything it started.\n"
                << std::flush;
    }
    sd_notify(keyring ? "READY=1\nSTATUS=serving; components locked until unlocked" : "READY=1\nSTATUS=serving");

    // Wait for a termination signal.
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig == SIGHUP) {  // systemctl reload: the TLS certificate and key, nothing else
        if (!tls_identity) {
          log::info("SIGHUP received: no HTTPS listener, nothing to reload");
        } else {
          try {
            tls_identity->reload();
            log::info("TLS certificate reloaded", {{"cert_file", config.tls.cert_file.string()},
                                                   {"sha256", tls_identity->fingerprint()}});
          } catch (const std::exception& e) {
            log::error("TLS certificate not reloaded, the previous one stays", {{"error", e.what()}});
          }
        }
        log::flush();
        continue;
      }
      log::info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"},
                                  {"grace_seconds", config.server.shutdown_grace_seconds}});
      break;
    }
    sd_notify("STOPPING=1");
    unroute.off();
    server.shutdown(std::chrono::seconds(config.server.shutdown_grace_seconds));
    // The jobs stop while the workers still run: a job waiting for a ledger outcome (the
    // bridges' inbox and withdrawals) gets it from them; after workers.join() nothing would
    // deliver it, and the scheduler's stop would wait for that job for ever.
    scheduler.stop();
    workers.join();
    log::info("HTTP server stopped");
  } catch (const std::exception& e) {
    log::error("fatal", {{"error", e.what()}});
    std::cerr << "omnid: " << e.what() << "\n";
    exit_code = 1;
  }
  if (cluster) {
    cluster->stop();
    log::info("local PostgreSQL cluster stopped");
  }
  if (ephemeral) {
    std::error_code ec;
    fs::remove_all(data_dir, ec);
  }
  log::flush();
  return exit_code;
}

}  // namespace og

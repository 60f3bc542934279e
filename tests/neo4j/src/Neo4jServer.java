import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.server.CommunityBootstrapper;

/**
 * Stock Neo4j community (from Maven Central) as an in-process server on loopback, for kgloader's tests
 * and for `make neo4j`. Not part of kgloader.
 *
 * <pre>
 * java -cp CLASSPATH Neo4jServer [--home DIR] [--bolt-port N] [--http-port N] [--stop-on-eof]
 * </pre>
 *
 * Bolt and HTTP listen on 127.0.0.1, on free ports unless given. Authentication is on: user neo4j, the
 * password from NEO4J_PASSWORD, else a generated one. Data and logs go to --home (kept, so that a
 * server can be started again on the same data), else to a temporary folder deleted at the end.
 * Once the server answers, one line goes to standard output:
 *
 * <pre>
 * NEO4J_READY {"bolt": "bolt://127.0.0.1:PORT", "http": "http://127.0.0.1:PORT", "user": "neo4j", "password": "...", "home": "...", "pid": N}
 * </pre>
 *
 * Anything else the server prints goes to HOME/logs/console.log. SIGTERM or Ctrl-C stops it cleanly;
 * with --stop-on-eof, so does the end of standard input (the parent process is gone).
 */
public final class Neo4jServer {
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static void main(String[] args) throws Exception {
        Path home = null;
        int boltPort = 0;
        int httpPort = 0;
        boolean stopOnEof = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]).toAbsolutePath();
                case "--bolt-port" -> boltPort = Integer.parseInt(args[++i]);
                case "--http-port" -> httpPort = Integer.parseInt(args[++i]);
                case "--stop-on-eof" -> stopOnEof = true;
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: Neo4jServer [--home DIR] [--bolt-port N] [--http-port N] [--stop-on-eof]");
                    System.exit(2);
                }
            }
        }
        boolean temporary = home == null;
        if (temporary) {
            home = Files.createTempDirectory("kgloader-neo4j-");
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            password = generatedPassword();
        } else if (password.length() < 8) {
            System.err.println("NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)");
            System.exit(2);
        }

        Path logs = Files.createDirectories(home.resolve("logs"));
        PrintStream out = System.out;
        PrintStream console = new PrintStream(Files.newOutputStream(logs.resolve("console.log")), true,
                StandardCharsets.UTF_8);
        System.setOut(console);
        System.setErr(console);

        Map<String, String> config = new HashMap<>();
        config.put("server.default_listen_address", "127.0.0.1");
        config.put("server.default_advertised_address", "127.0.0.1");
        config.put("server.bolt.enabled", "true");
        // ports chosen here, not by the server (port 0): the advertised addresses, which Browser and
        // neo4j:// routing use, must name the real ports
        boltPort = boltPort == 0 ? freePort() : boltPort;
        httpPort = httpPort == 0 ? freePort() : httpPort;
        config.put("server.bolt.listen_address", "127.0.0.1:" + boltPort);
        config.put("server.bolt.advertised_address", "127.0.0.1:" + boltPort);
        config.put("server.http.enabled", "true");
        config.put("server.http.listen_address", "127.0.0.1:" + httpPort);
        config.put("server.http.advertised_address", "127.0.0.1:" + httpPort);
        config.put("server.https.enabled", "false");
        // NEO4J_AUTH=none: no authentication, as the Docker image's setting of that name gives
        boolean auth = !"none".equals(System.getenv("NEO4J_AUTH"));
        config.put("dbms.security.auth_enabled", auth ? "true" : "false");
        config.put("server.directories.data", home.resolve("data").toString());
        config.put("server.directories.logs", logs.toString());
        config.put("server.directories.run", home.resolve("run").toString());
        config.put("server.directories.import", home.resolve("import").toString());
        config.put("server.directories.plugins", home.resolve("plugins").toString());
        config.put("server.memory.pagecache.size", "256m");
        config.put("db.logs.query.enabled", "OFF");
        config.put("dbms.usage_report.enabled", "false");
        config.put("client.allow_telemetry", "false");

        CommunityBootstrapper bootstrapper = new CommunityBootstrapper();
        Path finalHome = home;
        if (temporary) {
            // runs after the bootstrapper's own stop (its signal handler stops the server, then exits)
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (bootstrapper.isRunning()) {
                    bootstrapper.stop();
                }
                delete(finalHome);
            }));
        }
        int status = bootstrapper.start(home, null, config, false, false);
        if (status != 0) {
            out.println("NEO4J_FAILED {\"status\": " + status + ", \"log\": " + json(logs.toString()) + "}");
            out.flush();
            System.exit(status);
        }
        DatabaseManagementService dbms = bootstrapper.getDatabaseManagementService();
        if (auth) {
            setPassword(dbms, password);
        } else {
            password = "";
        }
        ConnectorPortRegister ports = ((GraphDatabaseAPI) dbms.database("system")).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class);
        String bolt = "bolt://" + ports.getLocalAddress(ConnectorType.BOLT);
        String http = "http://" + ports.getLocalAddress(ConnectorType.HTTP);
        out.println("NEO4J_READY {\"bolt\": " + json(bolt) + ", \"http\": " + json(http) + ", \"user\": \"neo4j\", "
                + "\"password\": " + json(password) + ", \"home\": " + json(home.toString()) + ", \"pid\": "
                + ProcessHandle.current().pid() + "}");
        out.flush();

        if (stopOnEof) {
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // input is ignored; only its end matters
                    }
                } catch (IOException ignored) {
                    // a broken stdin is an end too
                }
                System.exit(0); // the shutdown hooks stop the server
            }, "stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        Thread.currentThread().join(); // the bootstrapper's signal handlers stop the server and exit
    }

    /** Authentication is on from the first start; the password is set before anyone is told the address. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException e) {
            // a server started again on its data already has this password: Neo4j refuses to "change" it
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (!message.contains("same")) {
                throw e;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String generatedPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void delete(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is no failure
        }
    }
}

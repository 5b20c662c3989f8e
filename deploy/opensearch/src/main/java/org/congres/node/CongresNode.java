package org.congres.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node on 127.0.0.1, built from Maven Central jars: the two plugins the
 * project needs (HTTP/transport, French analysis) are passed as classes, so no plugins/
 * or modules/ folders exist on disk.
 *
 * Usage: CongresNode NAME HOME HTTP_PORT TRANSPORT_PORT [SEED_TRANSPORT_PORTS CLUSTER_MANAGERS]
 * With no seeds the node forms a single-node cluster.
 */
public final class CongresNode extends Node {

    private CongresNode(Settings settings, String nodeName) {
        super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> nodeName),
              List.of(Netty4Plugin.class, CommonAnalysisPlugin.class), true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 6) {
            System.err.println("usage: CongresNode NAME HOME HTTP_PORT TRANSPORT_PORT [SEEDS MANAGERS]");
            System.exit(2);
        }
        String name = args[0];
        Path home = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Settings.Builder settings = Settings.builder()
            .put("cluster.name", "congres")
            .put("node.name", name)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", args[2])
            .put("transport.port", args[3])
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (args.length == 4) {
            settings.put("discovery.type", "single-node");
        } else {
            settings.putList("discovery.seed_hosts", prefixed(args[4].split(",")));
            settings.putList("cluster.initial_cluster_manager_nodes", args[5].split(","));
        }
        Node node = new CongresNode(settings.build(), name);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        node.start();
        stopped.await();
    }

    private static List<String> prefixed(String[] ports) {
        return java.util.Arrays.stream(ports).map(p -> "127.0.0.1:" + p).toList();
    }
}

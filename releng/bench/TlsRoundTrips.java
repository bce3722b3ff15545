import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.daig.trust.PinnedTrust;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Task round trips against a running coordinator, as a provider makes them: a TaskRequest on the
 * device's own topic, the coordinator's TaskReply on the topic addressed to it. Prints the median
 * round trip in microseconds after a warm-up.
 *   java -cp paho.jar:org.daig.trust.jar TlsRoundTrips.java BROKER_URL DEVICE_ID TOKEN TRIPS [PIN_FILE]
 */
public class TlsRoundTrips {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String device = args[1];
        int trips = Integer.parseInt(args[3]);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(device);
        options.setPassword(args[2].toCharArray());
        options.setCleanSession(true);
        if (url.startsWith("ssl://")) {
            options.setSocketFactory(new PinnedTrust(Path.of(args[4]), null).sslContext().getSocketFactory());
            options.setHttpsHostnameVerificationEnabled(false);
        }
        MqttClient client = new MqttClient(url, device, new MemoryPersistence());
        client.connect(options);
        String root = "daig/v1/";
        long since = System.currentTimeMillis();
        client.publish(root + "providers/" + device + "/presence",
                ("{\"clientId\":\"" + device + "\",\"role\":\"provider\",\"online\":true,\"since\":" + since + "}").getBytes(StandardCharsets.UTF_8), 1, true);
        client.publish(root + "providers/" + device + "/info", ("{\"id\":\"" + device + "\",\"name\":\"bench\",\"version\":\"bench\",\"machine\":"
                + "{\"os\":\"linux\",\"arch\":\"amd64\",\"cpuModel\":\"bench\",\"physicalCores\":1,\"logicalCores\":1,\"memoryBytes\":1073741824,\"gpus\":[]}}")
                .getBytes(StandardCharsets.UTF_8), 1, true);
        BlockingQueue<String> replies = new ArrayBlockingQueue<>(16);
        client.subscribe(root + "coordinators/+/to/" + device + "/tasks", 1, (topic, message) -> replies.offer(new String(message.getPayload(), StandardCharsets.UTF_8)));
        int warmUp = Math.max(20, trips / 5);
        long[] micros = new long[trips];
        for (int i = -warmUp; i < trips; i++) {
            long start = System.nanoTime();
            client.publish(root + "providers/" + device + "/tasks/request",
                    ("{\"requestId\":\"r" + i + "\",\"maxParams\":0}").getBytes(StandardCharsets.UTF_8), 1, false);
            String reply = replies.poll(30, TimeUnit.SECONDS);
            if (reply == null) {
                throw new IllegalStateException("no answer from the coordinator to request " + i);
            }
            if (i >= 0) {
                micros[i] = (System.nanoTime() - start) / 1000;
            }
        }
        client.disconnect();
        client.close();
        Arrays.sort(micros);
        System.out.println(micros[trips / 2]);
    }
}

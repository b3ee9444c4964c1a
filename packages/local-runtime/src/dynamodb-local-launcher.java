import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local as its own main class does, with two things the jar has no flag for:
 * it listens on one address (the first argument) instead of every interface, and it exits when
 * its standard input closes, which happens when the process that started it dies, even by SIGKILL.
 * The other arguments are DynamoDB Local's own. Telemetry is never configured, so none is sent.
 * Once it listens, it says so on standard output: another process answering on the same port (two starts
 * that picked the same free port) is not this one, whose bind failed and which exits.
 */
final class DynamoDbLocalLauncher {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    Field jettyServer = DynamoDBProxyServer.class.getDeclaredField("server");
    jettyServer.setAccessible(true);
    for (Connector connector : ((Server) jettyServer.get(proxy)).getConnectors()) {
      ((ServerConnector) connector).setHost(args[0]);
    }
    Thread parentWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // The parent never writes; end of input means it is gone.
        }
      } catch (IOException closed) {
        // A broken pipe means the same.
      }
      System.exit(0);
    }, "parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
    proxy.start();
    System.out.println("DynamoDbLocalLauncher: listening");
    System.out.flush();
  }
}

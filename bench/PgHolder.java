// bench/run's PostgreSQL for pool runs: the node jar's embedded PostgreSQL (zonky), held open while
// this program's standard input stays open. Run as a single source file on the jar's class path:
//   java -cp pool-node/target/pool-node-*-all.jar bench/PgHolder.java DATA_DIR
// Prints "jdbc-url <url>" once PostgreSQL accepts connections; stops it when stdin closes.
import io.parley.db.EmbeddedDatabase;
import java.nio.file.Path;

public class PgHolder {
  public static void main(String[] args) throws Exception {
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(Path.of(args[0]))) {
      System.out.println("jdbc-url " + pg.jdbcUrl());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the driver to close our stdin (or die)
      }
    }
  }
}

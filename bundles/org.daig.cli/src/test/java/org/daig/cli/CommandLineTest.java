package org.daig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The command tree: help, usage errors (exit 2, naming the option), and the trainer commands' hand-over. */
class CommandLineTest {

    /** Every command, and options its help must name. */
    static final Map<String, List<String>> COMMANDS = Map.ofEntries(
            Map.entry("submit", List.of("--model", "--x", "--y", "--epochs", "--batch", "--tasks", "--k", "--contributors",
                    "--validation", "--passes", "--seed", "--name", "--loss", "--optimizer", "--lr", "--coordinator")),
            Map.entry("list", List.of("--coordinator")), Map.entry("status", List.of("PROJECT", "--coordinator")),
            Map.entry("watch", List.of("PROJECT", "--coordinator")), Map.entry("pause", List.of("PROJECT", "--coordinator")),
            Map.entry("resume", List.of("PROJECT", "--coordinator")), Map.entry("cancel", List.of("PROJECT", "--coordinator")),
            Map.entry("download", List.of("PROJECT", "--version", "--format", "--out", "--coordinator")),
            Map.entry("model", List.of("inspect", "predict", "make-mlp", "evaluate")),
            Map.entry("model inspect", List.of("MODEL", "--loss", "--optimizer", "--lr")),
            Map.entry("model predict", List.of("MODEL", "--input", "--output", "--loss")),
            Map.entry("model make-mlp", List.of("--out", "--inputs", "--outputs", "--hidden", "--loss", "--optimizer", "--lr", "--seed")),
            Map.entry("model evaluate", List.of("MODEL", "--x", "--y", "--loss")),
            Map.entry("train-local", List.of("--model", "--x", "--y", "--epochs", "--batch", "--test-x", "--test-y", "--seed", "--out",
                    "--loss", "--optimizer", "--lr")),
            Map.entry("data", List.of("fashion-mnist")), Map.entry("data fashion-mnist", List.of("--from", "--out")),
            Map.entry("login", List.of("--coordinator", "--user", "--password-file")), Map.entry("logout", List.of("forgotten")),
            Map.entry("whoami", List.of("--coordinator")),
            Map.entry("enrol", List.of("--coordinator", "--code", "--user", "--password-file", "--data", "--name", "--force")),
            Map.entry("admin", List.of("users", "useradd", "disable", "enable", "passwd", "roles", "revoke", "enrol-code", "signup",
                    "broker-config")),
            Map.entry("admin roles", List.of("USER", "--role")),
            Map.entry("admin users", List.of("--coordinator")), Map.entry("admin useradd", List.of("USER", "--role", "--password-file")),
            Map.entry("admin disable", List.of("USER")), Map.entry("admin enable", List.of("USER")),
            Map.entry("admin passwd", List.of("USER", "--password-file")), Map.entry("admin revoke", List.of("USER")),
            Map.entry("admin enrol-code", List.of("--user", "--uses", "--valid-hours")), Map.entry("admin signup", List.of("open|closed")),
            Map.entry("admin broker-config", List.of("--out", "--coordinator")),
            Map.entry("experts", List.of("host", "train", "create", "status", "download", "cancel")),
            Map.entry("experts create", List.of("--name", "--grid", "--prefix", "--width", "--hidden", "--hosts", "--optimizer", "--lr", "--k",
                    "--k-min", "--coordinator")),
            Map.entry("experts status", List.of("ID", "--coordinator")), Map.entry("experts cancel", List.of("ID", "--coordinator")),
            Map.entry("experts download", List.of("ID", "--out", "--coordinator")),
            Map.entry("experts host", List.of("--cells", "--width", "--hidden", "--bootstrap", "--checkpoint", "--relay", "--relay-name",
                    "--token-file")),
            Map.entry("experts train", List.of("--x", "--y", "--test-x", "--project", "--coordinator", "--bootstrap", "--grid", "--width", "--k",
                    "--k-min", "--save", "--relay-ca")));

    static List<String> commands() {
        return COMMANDS.keySet().stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandsHelpExitsZeroAndNamesItsOptions(String command) {
        String[] args = (command + " --help").split(" ");
        Run run = Run.of(args);
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().startsWith("Usage: daig " + command), run.toString());
        for (String option : COMMANDS.get(command)) {
            assertTrue(run.out().contains(option), command + " --help names " + option + "\n" + run);
        }
        assertTrue(run.out().contains("--help"), run.toString());
    }

    @Test
    void daigHelpListsEveryCommand() {
        Run run = Run.of("--help");
        assertEquals(0, run.status, run.toString());
        for (String command : COMMANDS.keySet()) {
            if (!command.contains(" ")) {
                assertTrue(run.out().contains("\n  " + command + " "), "daig --help lists " + command + "\n" + run);
            }
        }
    }

    @Test
    void expertsOptionsThatGoTogetherAreCheckedBeforeAnyJvmStarts() {
        Run run = Run.of("experts", "host", "--cells", "ffn.0.0", "--relay", "coordinator:7790");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--relay and --relay-name go together"), run.toString());
        run = Run.of("experts", "train", "--x", "x.npy", "--y", "y.npy", "--bootstrap", "h:1", "--test-x", "t.npy");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--test-x and --test-y go together"), run.toString());
    }

    @Test
    void versionExitsZero() {
        Run run = Run.of("--version");
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out().startsWith("daig "), run.toString());
    }

    @Test
    void aWordForAWholeNumberIsAUsageErrorNamingTheOption() {
        Run run = Run.of("submit", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "x", "--batch", "8", "--tasks", "6",
                "--k", "2");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("daig submit: --epochs: 'x' is not a whole number (e.g. --epochs 5)"), run.toString());
        assertEquals("", run.out(), "nothing on stdout: " + run);
    }

    @Test
    void contributorsMustBeAWholeNumberToo() {
        Run run = Run.of("submit", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "1", "--batch", "8", "--tasks",
                "6", "--k", "2", "--contributors", "x");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--contributors: 'x' is not a whole number"), run.toString());
    }

    @Test
    void aWordForAFractionNamesTheOption() {
        Run run = Run.of("submit", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "1", "--batch", "8", "--tasks",
                "6", "--k", "2", "--validation", "tenth");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--validation: 'tenth' is not a number"), run.toString());
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithTheUsage() {
        Run run = Run.of("list", "--colour", "red");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("Unknown option") && run.err().contains("--colour"), run.toString());
        assertTrue(run.err().contains("Usage: daig list"), run.toString());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run run = Run.of("sumbit");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("sumbit"), run.toString());
    }

    @Test
    void aMissingRequiredOptionIsAUsageErrorNamingIt() {
        Run run = Run.of("submit", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "1", "--batch", "8", "--tasks", "6");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--k"), run.toString());
    }

    @Test
    void aBadDownloadFormatNamesTheChoices() {
        Run run = Run.of("download", "p1", "--format", "onnx");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--format: 'onnx' is not one of model, keras, h5, zip, npy"), run.toString());
    }

    @Test
    void aCoordinatorThatIsNoAddressIsAUsageError() {
        Run run = Run.of("list", "--coordinator", "localhost:7700");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--coordinator: 'localhost:7700' is not an address"), run.toString());
    }

    @Test
    void trainerCommandsAreHandedToTheTrainerAsItsOwnCommandLine() {
        Run run = Run.of("model", "make-mlp", "--out", "m.h5", "--inputs", "64", "--outputs", "10", "--hidden", "64,32", "--seed", "3");
        assertEquals(0, run.status, run.toString());
        assertEquals(List.of(List.of("model", "make-mlp", "--out", "m.h5", "--inputs", "64", "--outputs", "10", "--hidden", "64,32",
                "--seed", "3")), run.trainerRuns);

        run = Run.of("train-local", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "2", "--batch", "32");
        assertEquals(List.of(List.of("train-local", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "2", "--batch", "32")),
                run.trainerRuns);

        run = Run.of("data", "fashion-mnist", "--out", "d");
        assertEquals(List.of(List.of("data", "fashion-mnist", "--from", "/usr/share/datasets/fashion-mnist", "--out", "d")),
                run.trainerRuns);

        // a model saved without compile(): the loss and optimizer travel to the trainer
        run = Run.of("model", "inspect", "m.keras", "--loss", "mse", "--optimizer", "adam", "--lr", "0.01");
        assertEquals(List.of(List.of("model", "inspect", "m.keras", "--loss", "mse", "--optimizer", "adam", "--lr", "0.01")),
                run.trainerRuns);
    }

    @Test
    void trainerUsageErrorsStopBeforeTheTrainerStarts() {
        Run run = Run.of("train-local", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "0", "--batch", "32");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--epochs must be at least 1"), run.toString());
        run = Run.of("train-local", "--model", "m.h5", "--x", "x.npy", "--y", "y.npy", "--epochs", "1", "--batch", "32", "--test-x", "t");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--test-x and --test-y go together"), run.toString());
        run = Run.of("model", "make-mlp", "--out", "m.h5", "--inputs", "8", "--outputs", "3", "--hidden", "16,x");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.err().contains("--hidden: 'x' is not a whole number"), run.toString());
        run = Run.of("model");
        assertEquals(2, run.status, run.toString());
        assertTrue(run.trainerRuns.isEmpty(), run.toString());
    }

    @Test
    void theTrainersJvmGetsTheRuntimesClassPathAndCaps() {
        Context context = new Context(System.out, System.err, false, Map.of("DAIG_TRAINER_HEAP", "3g"), java.nio.file.Path.of("/opt/w"),
                java.nio.file.Path.of("/var/d"), () -> null, (c, a) -> 0);
        List<String> command = TrainerProcess.command(context, List.of("model", "inspect", "m.h5"));
        assertTrue(command.contains("-Xmx3g"), command.toString());
        assertTrue(command.contains("-Dorg.bytedeco.javacpp.cachedir=/var/d/worker/javacpp"), command.toString());
        assertTrue(command.contains("-XX:ErrorFile=/var/d/worker/trainer-crash-%p.log"), command.toString());
        assertTrue(command.contains("/opt/w/*:/opt/w/lib/*"), command.toString());
        assertEquals(List.of(TrainerProcess.MAIN_CLASS, "model", "inspect", "m.h5"), command.subList(command.size() - 4, command.size()));
        assertFalse(command.stream().anyMatch(a -> a.contains("org.daig.cli")), command.toString());
    }
}

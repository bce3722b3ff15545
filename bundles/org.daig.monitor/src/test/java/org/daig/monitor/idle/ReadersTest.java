package org.daig.monitor.idle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.PowerSource;

/** The readers' arithmetic and parsing, with made-up input. */
class ReadersTest {

    @Test
    void foreignCpuIsTheBusyShareMinusOurOwn() {
        long[] before = new long[TickType.values().length];
        long[] after = new long[TickType.values().length];
        // 4 cores for 1 s = 4000 ms of CPU: 1000 user, 200 system, 2600 idle, 200 iowait
        after[TickType.USER.getIndex()] = 1000;
        after[TickType.SYSTEM.getIndex()] = 200;
        after[TickType.IDLE.getIndex()] = 2600;
        after[TickType.IOWAIT.getIndex()] = 200;
        assertEquals(0.30, ForeignCpuReader.foreignShare(before, after, 0), 1e-9);
        assertEquals(0.05, ForeignCpuReader.foreignShare(before, after, 1000), 1e-9, "our workers used 1000 ms of it");
        assertEquals(0.0, ForeignCpuReader.foreignShare(before, after, 1500), "never below 0");
        assertEquals(-1, ForeignCpuReader.foreignShare(after, after, 0), "no time passed");
    }

    @Test
    void stealTimeIsNotForeign() {
        long[] before = new long[TickType.values().length];
        long[] after = new long[TickType.values().length];
        after[TickType.STEAL.getIndex()] = 500;
        after[TickType.IDLE.getIndex()] = 500;
        assertEquals(0.0, ForeignCpuReader.foreignShare(before, after, 0));
    }

    @Test
    void ownCpuCountsNewWorkersWholeAndIgnoresEndedOnes() {
        Map<Long, Long> before = Map.of(1L, 5_000L, 2L, 7_000L);
        Map<Long, Long> after = Map.of(1L, 6_000L, 3L, 2_000L);
        assertEquals(1_000 + 2_000, ForeignCpuReader.ownDeltaNanos(before, after));
    }

    @Test
    void nvidiaSmiLinesBecomeComputeApps() {
        List<NvidiaGpuReader.ComputeApp> apps = NvidiaGpuReader.parse(
                "4242, /usr/bin/python3\r\n77, C:\\Program Files\\Blender\\blender.exe\n[N/A], [Not Found]\n\n");
        assertEquals(List.of(new NvidiaGpuReader.ComputeApp(4242, "python3"), new NvidiaGpuReader.ComputeApp(77, "blender.exe"),
                new NvidiaGpuReader.ComputeApp(-1, "[Not Found]")), apps);
        assertEquals(List.of(), NvidiaGpuReader.parse(""));
        assertEquals(List.of(), NvidiaGpuReader.parse("No running processes found\n"));
    }

    @Test
    void ourOwnAndInvisibleGpuProcessesAreNotForeign() {
        long self = ProcessHandle.current().pid();
        long visible = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(self);
        List<NvidiaGpuReader.ComputeApp> apps = List.of(new NvidiaGpuReader.ComputeApp(self, "java"),
                new NvidiaGpuReader.ComputeApp(visible, "python3"), new NvidiaGpuReader.ComputeApp(Integer.MAX_VALUE - 7, "java"));
        NvidiaGpuReader.GpuUse use = NvidiaGpuReader.foreignUse(apps, Set.of(self));
        if (visible != self) {
            assertTrue(use.foreign());
            assertEquals("python3, pid " + visible, use.users());
        }
        assertTrue(use.note().contains("not visible here"), use.note());

        NvidiaGpuReader.GpuUse ours = NvidiaGpuReader.foreignUse(List.of(new NvidiaGpuReader.ComputeApp(self, "java")), Set.of(self));
        assertFalse(ours.foreign());
        assertNull(ours.note());
    }

    @Test
    void withoutNvidiaSmiThereIsNothingToNoteUnlessOshiSeesAnNvidiaCard() {
        Notes notes = new Notes();
        assertFalse(new NvidiaGpuReader(null, () -> false).read(Set.of(), 0, notes).foreign());
        assertEquals("", notes.toString());
        new NvidiaGpuReader(null, () -> true).read(Set.of(), 0, notes);
        assertTrue(Notes.find(notes.toString(), Notes.GPU).startsWith("nvidia-smi not found"), notes.toString());
    }

    @Test
    void nvidiaSmiIsFoundOnThePath(@TempDir Path dir) throws Exception {
        Path exe = Files.createFile(dir.resolve("nvidia-smi"));
        if (exe.toFile().setExecutable(true)) {
            assertEquals(exe, NvidiaGpuReader.find("/nonexistent" + java.io.File.pathSeparator + dir, false));
        }
    }

    @Test
    void macIdleTimeIsParsedFromIoreg() {
        String output = """
                +-o IOHIDSystem  <class IOHIDSystem, id 0x100000453, registered, matched, active, busy 0 (0 ms), retain 24>
                    {
                      "HIDIdleTime" = 1234567890
                      "HIDParameters" = {"HIDDefaultParameters"=Yes}
                    }
                """;
        assertEquals(1_234_567_890L, MacUserIdle.parseHidIdleNanos(output));
        assertEquals(-1, MacUserIdle.parseHidIdleNanos("nothing here"));
    }

    @Test
    void withoutDisplayTheX11ReaderSaysWhy() {
        Notes notes = new Notes();
        try (X11UserIdle reader = new X11UserIdle(Map.of())) {
            assertEquals(-1, reader.idleMillis(notes));
        }
        assertEquals("no X11 display (Wayland or headless)", Notes.find(notes.toString(), Notes.USER_IDLE));

        Notes wayland = new Notes();
        try (X11UserIdle reader = new X11UserIdle(Map.of("DISPLAY", ":0", "WAYLAND_DISPLAY", "wayland-0"))) {
            assertEquals(-1, reader.idleMillis(wayland));
        }
        assertTrue(Notes.find(wayland.toString(), Notes.USER_IDLE).startsWith("Wayland session"), wayland.toString());
    }

    @Test
    void anUnreachableDisplayIsNotedNotThrown() {
        Notes notes = new Notes();
        X11UserIdle reader = new X11UserIdle(Map.of("DISPLAY", ":987"));
        try {
            assertEquals(-1, reader.idleMillis(notes));
            String cause = Notes.find(notes.toString(), Notes.USER_IDLE);
            // libX11/libXss missing, or the display cannot be opened: either way a note, never an exception
            assertTrue(cause.startsWith("no X11 display") || cause.startsWith("lib") || cause.startsWith("cannot use"), cause);
        } finally {
            reader.close();
        }
    }

    @Test
    void theTemperatureIsReadEveryFewSecondsAndZeroMeansUnknown() {
        int[] calls = { 0 };
        double[] value = { 0 };
        TemperatureReader reader = new TemperatureReader(() -> {
            calls[0]++;
            return value[0];
        });
        Notes notes = new Notes();
        assertTrue(Double.isNaN(reader.read(0, notes)));
        assertEquals("not reported by this machine", Notes.find(notes.toString(), Notes.TEMPERATURE));
        value[0] = 61.5;
        assertTrue(Double.isNaN(reader.read(1000, new Notes())), "not asked again yet");
        assertEquals(61.5, reader.read(TemperatureReader.INTERVAL_MILLIS, new Notes()));
        assertEquals(2, calls[0]);
    }

    @Test
    void batteryComesFromSystemBatteriesOnly(@TempDir Path sys) throws Exception {
        Files.createDirectories(sys.resolve("hidpp_battery_0"));
        Files.writeString(sys.resolve("hidpp_battery_0").resolve("scope"), "Device\n");
        PowerSource laptop = powerSource("BAT0", true, false, 0.38);
        PowerSource mouse = powerSource("hidpp_battery_0", true, false, 0.05);

        PowerReader.Power onBattery = new PowerReader(() -> List.of(laptop, mouse), sys).read(new Notes());
        assertEquals(new PowerReader.Power(true, 38), onBattery);

        PowerReader.Power desktop = new PowerReader(() -> List.of(mouse), sys).read(new Notes());
        assertEquals(new PowerReader.Power(false, -1), desktop, "a wireless mouse is not the machine's battery");

        PowerReader.Power charging = new PowerReader(() -> List.of(powerSource("BAT0", false, true, 0.5)), sys).read(new Notes());
        assertEquals(new PowerReader.Power(false, 50), charging);

        assertEquals(PowerReader.Power.MAINS, new PowerReader(List::of, null).read(new Notes()), "no power source: mains");

        Notes notes = new Notes();
        PowerReader broken = new PowerReader(() -> {
            throw new NoClassDefFoundError("com/sun/jna/Native");
        }, null);
        assertEquals(PowerReader.Power.MAINS, broken.read(notes));
        assertTrue(Notes.find(notes.toString(), Notes.BATTERY).contains("NoClassDefFoundError"), notes.toString());
    }

    @Test
    void notesAreFoundByReading() {
        Notes notes = new Notes();
        notes.add(Notes.USER_IDLE, "no X11 display (Wayland or headless)");
        notes.add(Notes.GPU, "a; b");
        assertEquals("user idle time: no X11 display (Wayland or headless); GPU: a, b", notes.toString());
        assertEquals("a, b", Notes.find(notes.toString(), Notes.GPU));
        assertNull(Notes.find(notes.toString(), Notes.BATTERY));
        assertNull(Notes.find("", Notes.BATTERY));
    }

    private static PowerSource powerSource(String name, boolean discharging, boolean onLine, double capacity) {
        return (PowerSource) Proxy.newProxyInstance(ReadersTest.class.getClassLoader(), new Class<?>[] { PowerSource.class },
                (proxy, method, args) -> switch (method.getName()) {
                case "getName" -> name;
                case "isDischarging" -> discharging;
                case "isPowerOnLine" -> onLine;
                case "isCharging" -> onLine && capacity < 1;
                case "getRemainingCapacityPercent" -> capacity;
                case "toString" -> name;
                default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}

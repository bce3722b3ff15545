package org.daig.ui.widgets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

class MetatypeFormTest {

    private static final String IDLE_MESSAGE = "must be 0 or more";

    /** A provider preference set, as a metatype would describe it. */
    private static final ObjectClassDefinition PROVIDER_SETTINGS = new FakeObjectClassDefinition(
            new FakeAttribute("idleMinutes", "Idle minutes", AttributeDefinition.INTEGER, 0,
                    new String[] {"3"}, null, null,
                    text -> Integer.parseInt(text) < 0 ? IDLE_MESSAGE : ""),
            new FakeAttribute("onBattery", "Run on battery", AttributeDefinition.BOOLEAN, 0,
                    new String[] {"false"}, null, null, text -> null),
            new FakeAttribute("mode", "When to compute", AttributeDefinition.STRING, 0,
                    new String[] {"idle"}, new String[] {"idle", "always", "never"},
                    new String[] {"Only when idle", "Always", "Never"}, text -> ""),
            new FakeAttribute("cpuShare", "CPU share", AttributeDefinition.DOUBLE, 0,
                    new String[] {"0.5"}, null, null, text -> ""),
            new FakeAttribute("coordinators", "Coordinators", AttributeDefinition.STRING, -10,
                    new String[] {"a.example", "b.example"}, null, null, text -> ""));

    private Shell shell;
    private MetatypeForm form;

    @BeforeEach
    void openForm() {
        shell = new Shell(SwtTestSupport.display());
        shell.setLayout(new FillLayout());
        form = new MetatypeForm(shell, PROVIDER_SETTINGS, Map.of());
        shell.pack();
        shell.open();
        SwtTestSupport.runPendingEvents();
    }

    @AfterEach
    void closeForm() {
        shell.dispose();
        SwtTestSupport.runPendingEvents();
    }

    /** Felix's metatype service reports "no options" as an empty array, not null. */
    @Test
    void anEmptyOptionListIsAPlainFieldNotAChoice() {
        ObjectClassDefinition felixStyle = new FakeObjectClassDefinition(new FakeAttribute("idleMinutes", "Idle minutes",
                AttributeDefinition.INTEGER, 0, new String[] {"3"}, new String[0], new String[0], text -> ""),
                new FakeAttribute("onBattery", "Run on battery", AttributeDefinition.BOOLEAN, 0, new String[] {"false"}, new String[0],
                        new String[0], text -> ""));
        Shell other = new Shell(SwtTestSupport.display());
        try {
            MetatypeForm plain = new MetatypeForm(other, felixStyle, Map.of());
            assertTrue(plain.isValid(), String.valueOf(plain.problems()));
            assertEquals(Map.of("idleMinutes", 3, "onBattery", false), plain.values());
        } finally {
            other.dispose();
        }
    }

    @Test
    void showsDefaultsAndIsValidWhenNothingIsConfigured() {
        assertEquals("3", text("idleMinutes").getText());
        assertFalse(((Button) form.editorFor("onBattery")).getSelection());
        assertEquals("Only when idle", ((Combo) form.editorFor("mode")).getText());
        assertEquals("0.5", text("cpuShare").getText());
        assertEquals("a.example, b.example", text("coordinators").getText());
        assertTrue(form.isValid());
        assertEquals(List.of(), form.problems());
        assertEquals("", form.errorLabelFor("idleMinutes").getText());
        assertFalse(form.errorLabelFor("idleMinutes").isVisible());
    }

    @Test
    void currentValuesWinOverDefaults() {
        shell.dispose();
        shell = new Shell(SwtTestSupport.display());
        form = new MetatypeForm(shell, PROVIDER_SETTINGS,
                Map.of("idleMinutes", 7, "mode", "never", "onBattery", Boolean.TRUE));

        assertEquals("7", text("idleMinutes").getText());
        assertEquals("Never", ((Combo) form.editorFor("mode")).getText());
        assertTrue(((Button) form.editorFor("onBattery")).getSelection());
        Map<String, Object> values = form.values();
        assertEquals(7, values.get("idleMinutes"));
        assertEquals("never", values.get("mode"));
        assertEquals(Boolean.TRUE, values.get("onBattery"));
        assertEquals(0.5, values.get("cpuShare"));
    }

    @Test
    void lettersInAWholeNumberFieldAreReportedNamingTheField() {
        type("idleMinutes", "abc");

        assertFalse(form.isValid());
        Label error = form.errorLabelFor("idleMinutes");
        assertTrue(error.isVisible());
        assertTrue(error.getText().contains("Idle minutes"), error.getText());
        assertTrue(error.getText().contains("whole number"), error.getText());
        assertEquals(List.of(error.getText()), form.problems());
    }

    @Test
    void anEmptyRequiredNumberIsAnError() {
        type("cpuShare", "  ");

        assertFalse(form.isValid());
        assertTrue(form.errorLabelFor("cpuShare").getText().startsWith("CPU share: enter a number"),
                form.errorLabelFor("cpuShare").getText());
    }

    @Test
    void theMetatypesOwnValidationMessageIsShown() {
        type("idleMinutes", "-1");

        assertFalse(form.isValid());
        assertTrue(form.errorLabelFor("idleMinutes").getText().contains(IDLE_MESSAGE),
                form.errorLabelFor("idleMinutes").getText());
    }

    @Test
    void fixingTheInputClearsTheErrorAndGivesATypedValue() {
        type("idleMinutes", "abc");
        type("idleMinutes", "5");

        assertTrue(form.isValid());
        assertEquals("", form.errorLabelFor("idleMinutes").getText());
        assertFalse(form.errorLabelFor("idleMinutes").isVisible());
        assertEquals(Integer.valueOf(5), form.values().get("idleMinutes"));
    }

    @Test
    void choosingAnOptionYieldsItsValueNotItsLabel() {
        Combo combo = (Combo) form.editorFor("mode");
        combo.select(1);
        combo.notifyListeners(SWT.Selection, new Event());

        assertEquals("Always", combo.getText());
        assertEquals("always", form.values().get("mode"));
    }

    @Test
    void checkBoxGivesABoolean() {
        Button checkBox = (Button) form.editorFor("onBattery");
        checkBox.setSelection(true);
        checkBox.notifyListeners(SWT.Selection, new Event());

        assertEquals(Boolean.TRUE, form.values().get("onBattery"));
    }

    @Test
    void listValuesAreSplitAtCommas() {
        type("coordinators", "x.example , y.example,");

        assertArrayEquals(new String[] {"x.example", "y.example"},
                (String[]) form.values().get("coordinators"));
    }

    @Test
    void listenersHearEveryEditAfterTheErrorsAreUpToDate() {
        List<Boolean> validityAtNotification = new ArrayList<>();
        form.addChangeListener(() -> validityAtNotification.add(form.isValid()));

        type("idleMinutes", "abc");
        type("idleMinutes", "4");

        assertEquals(List.of(false, true), validityAtNotification);
    }

    @Test
    void setValuesResetsFieldsAndMissingOnesFallBackToDefaults() {
        type("idleMinutes", "abc");
        type("cpuShare", "0.9");

        form.setValues(Map.of("idleMinutes", 12));

        assertTrue(form.isValid());
        assertEquals("12", text("idleMinutes").getText());
        assertEquals("0.5", text("cpuShare").getText());
        assertEquals(12, form.values().get("idleMinutes"));
    }

    private Text text(String id) {
        return (Text) form.editorFor(id);
    }

    /**
     * What typing does. No extra notifyListeners here: Text.setText itself sends the Modify
     * event, exactly once, as a keystroke would.
     */
    private void type(String id, String input) {
        text(id).setText(input);
        SwtTestSupport.runPendingEvents();
    }

    private static final class FakeObjectClassDefinition implements ObjectClassDefinition {
        private final AttributeDefinition[] attributes;

        FakeObjectClassDefinition(AttributeDefinition... attributes) {
            this.attributes = attributes;
        }

        @Override
        public String getName() {
            return "Provider";
        }

        @Override
        public String getID() {
            return "org.daig.test.provider";
        }

        @Override
        public String getDescription() {
            return "Provider settings";
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return attributes.clone();
        }

        @Override
        public InputStream getIcon(int size) {
            return null;
        }
    }

    private static final class FakeAttribute implements AttributeDefinition {
        private final String id;
        private final String name;
        private final int type;
        private final int cardinality;
        private final String[] defaults;
        private final String[] optionValues;
        private final String[] optionLabels;
        private final Function<String, String> validator;

        FakeAttribute(String id, String name, int type, int cardinality, String[] defaults,
                String[] optionValues, String[] optionLabels, Function<String, String> validator) {
            this.id = id;
            this.name = name;
            this.type = type;
            this.cardinality = cardinality;
            this.defaults = defaults;
            this.optionValues = optionValues;
            this.optionLabels = optionLabels;
            this.validator = validator;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "What " + name + " means.";
        }

        @Override
        public int getCardinality() {
            return cardinality;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return optionValues;
        }

        @Override
        public String[] getOptionLabels() {
            return optionLabels;
        }

        @Override
        public String validate(String value) {
            return validator.apply(value);
        }

        @Override
        public String[] getDefaultValue() {
            return defaults;
        }
    }
}

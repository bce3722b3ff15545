package org.daig.ui.widgets;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * An editing form generated from the OSGi metatype that already describes a configuration, so a
 * preferences page never drifts from what the configured component accepts. Every field checks
 * itself as the user types and shows what is wrong right under it.
 *
 * <p>Layout: two columns, the attribute's name on the left; on the right its editor, an error
 * line (only while there is a problem) and the attribute's description in small grey type.
 */
public class MetatypeForm {

    private static final RGB ERROR_RGB = new RGB(0xC0, 0x1C, 0x28);
    /** Long descriptions wrap at about this many characters instead of widening the dialog. */
    private static final int TEXT_WIDTH_CHARS = 48;
    private static final int NUMBER_WIDTH_CHARS = 12;
    /** Extra space above each attribute, so name, field and description read as one group. */
    private static final int GROUP_GAP = 8;

    private final Composite form;
    private final List<Field> fields = new ArrayList<>();
    private final List<Runnable> changeListeners = new ArrayList<>();
    private final Font descriptionFont;
    private final Color descriptionColor;
    private final Color errorColor;
    private final double averageCharWidth;
    /** True while the form itself fills the fields, so listeners hear about one change, not many. */
    private boolean filling;

    /**
     * Builds the form; each field shows {@code current.get(id)} if present, else the attribute's
     * default.
     */
    public MetatypeForm(Composite parent, ObjectClassDefinition ocd, Map<String, ?> current) {
        Objects.requireNonNull(ocd, "ocd");
        form = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(2, false);
        layout.horizontalSpacing = 12;
        layout.verticalSpacing = 3;
        form.setLayout(layout);

        Display display = form.getDisplay();
        descriptionFont = smallerFont(form.getFont());
        descriptionColor = new Color(display, blend(
                display.getSystemColor(SWT.COLOR_WIDGET_FOREGROUND).getRGB(),
                display.getSystemColor(SWT.COLOR_WIDGET_BACKGROUND).getRGB(), 0.6));
        errorColor = new Color(display, ERROR_RGB);
        form.addDisposeListener(event -> {
            descriptionFont.dispose();
            descriptionColor.dispose();
            errorColor.dispose();
        });
        GC gc = new GC(form);
        try {
            averageCharWidth = gc.getFontMetrics().getAverageCharacterWidth();
        } finally {
            gc.dispose();
        }

        AttributeDefinition[] definitions = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        if (definitions != null) {
            for (AttributeDefinition definition : definitions) {
                Field field = fieldFor(definition);
                field.build(fields.isEmpty());
                fields.add(field);
            }
        }
        fill(current);
    }

    public Control getControl() {
        return form;
    }

    public boolean isValid() {
        return problems().isEmpty();
    }

    /** One line per invalid field, each naming the field; empty when everything is valid. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Field field : fields) {
            if (field.problem != null) {
                problems.add(field.problem);
            }
        }
        return problems;
    }

    /**
     * The typed values by attribute id, in the metatype's order: Boolean, Integer, Long, Double,
     * Float, Short, Byte, Character or String, and an array of these for multi-valued attributes
     * (String[] for string lists). Invalid fields are left out, so use this only when
     * {@link #isValid()}.
     */
    public Map<String, Object> values() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field field : fields) {
            if (field.problem == null) {
                values.put(field.id(), field.value());
            }
        }
        return values;
    }

    /** Called after every edit, once the fields' error lines are up to date. */
    public void addChangeListener(Runnable listener) {
        changeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Shows these values; fields whose id is missing go back to the default. */
    public void setValues(Map<String, ?> values) {
        fill(values);
        fireChange();
    }

    // Package-private handles for tests, which drive the real widgets.

    Control editorFor(String id) {
        return field(id).editor;
    }

    Label errorLabelFor(String id) {
        return field(id).errorLabel;
    }

    private Field field(String id) {
        for (Field field : fields) {
            if (field.id().equals(id)) {
                return field;
            }
        }
        throw new IllegalArgumentException("no attribute " + id);
    }

    private Field fieldFor(AttributeDefinition definition) {
        boolean multiValued = definition.getCardinality() != 0;
        if (multiValued) {
            return new TextField(definition, true);
        }
        String[] options = definition.getOptionValues();
        if (options != null && options.length > 0) { // Felix metatype answers [] rather than null for "no options"
            return new ChoiceField(definition);
        }
        if (definition.getType() == AttributeDefinition.BOOLEAN) {
            return new CheckField(definition);
        }
        return new TextField(definition, false);
    }

    private void fill(Map<String, ?> values) {
        Map<String, ?> given = values == null ? Map.of() : values;
        filling = true;
        try {
            for (Field field : fields) {
                Object value = given.get(field.id());
                field.show(value != null ? value : field.defaultValue());
                field.refresh();
            }
        } finally {
            filling = false;
        }
    }

    private void edited(Field field) {
        field.refresh();
        if (!filling) {
            fireChange();
        }
    }

    private void fireChange() {
        // Copy: a listener may add another listener.
        for (Runnable listener : List.copyOf(changeListeners)) {
            listener.run();
        }
    }

    // ---------------------------------------------------------------- fields

    /** One attribute: its name, editor, error line and description, and how to read its value. */
    private abstract class Field {
        final AttributeDefinition definition;
        Control editor;
        Label errorLabel;
        private Label errorFiller;
        /** The current problem, naming the field; null while the input is valid. */
        String problem;

        Field(AttributeDefinition definition) {
            this.definition = definition;
        }

        String id() {
            return definition.getID();
        }

        String name() {
            String name = definition.getName();
            return name == null || name.isBlank() ? id() : name;
        }

        /** Creates the editor as the next child of the form, reporting edits through {@link #edited}. */
        abstract Control createEditor(Composite parent);

        /** Shows a value from the current configuration or a default (may be null). */
        abstract void show(Object value);

        /** Parses and validates the input; a message naming the field, or null when valid. */
        abstract String findProblem();

        /** The typed value; only called when {@link #findProblem()} found none. */
        abstract Object value();

        Object defaultValue() {
            String[] defaults = definition.getDefaultValue();
            if (defaults == null || defaults.length == 0) {
                return null;
            }
            return definition.getCardinality() != 0 ? defaults : defaults[0];
        }

        void build(boolean firstInForm) {
            String description = definition.getDescription();
            int indent = firstInForm ? 0 : GROUP_GAP;

            Label nameLabel = new Label(form, SWT.NONE);
            nameLabel.setText(literal(name()));
            GridData nameData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
            nameData.verticalIndent = indent;
            nameLabel.setLayoutData(nameData);

            editor = createEditor(form);
            ((GridData) editor.getLayoutData()).verticalIndent = indent;

            // The error row stays out of the layout while there is nothing to say.
            errorFiller = new Label(form, SWT.NONE);
            errorFiller.setLayoutData(hiddenRowData(new GridData()));
            errorLabel = new Label(form, SWT.WRAP);
            errorLabel.setForeground(errorColor);
            errorLabel.setLayoutData(hiddenRowData(wrappingData()));
            errorFiller.setVisible(false);
            errorLabel.setVisible(false);

            if (description != null && !description.isBlank()) {
                nameLabel.setToolTipText(description);
                editor.setToolTipText(description);
                new Label(form, SWT.NONE).setLayoutData(new GridData());
                Label descriptionLabel = new Label(form, SWT.WRAP);
                descriptionLabel.setText(literal(description));
                descriptionLabel.setFont(descriptionFont);
                descriptionLabel.setForeground(descriptionColor);
                descriptionLabel.setLayoutData(wrappingData());
            }
        }

        void refresh() {
            problem = findProblem();
            boolean show = problem != null;
            errorLabel.setText(show ? literal(problem) : "");
            if (errorLabel.getVisible() != show) {
                ((GridData) errorLabel.getLayoutData()).exclude = !show;
                ((GridData) errorFiller.getLayoutData()).exclude = !show;
                errorLabel.setVisible(show);
                errorFiller.setVisible(show);
                form.requestLayout();
            }
        }

        /** The attribute's own check; its message is prefixed with the field's name if needed. */
        String validated(String input) {
            String message = definition.validate(input);
            if (message == null || message.isEmpty()) {
                return null;
            }
            return message.startsWith(name()) ? message : name() + ": " + message;
        }
    }

    /** Free text: strings, passwords, numbers, characters, and comma-separated lists of them. */
    private final class TextField extends Field {
        private final boolean multiValued;
        private Text text;

        TextField(AttributeDefinition definition, boolean multiValued) {
            super(definition);
            this.multiValued = multiValued;
        }

        @Override
        Control createEditor(Composite parent) {
            int type = definition.getType();
            text = new Text(parent, SWT.SINGLE | SWT.BORDER
                    | (type == AttributeDefinition.PASSWORD ? SWT.PASSWORD : 0));
            GridData data;
            if (isFreeText(type) || multiValued) {
                data = new GridData(SWT.FILL, SWT.CENTER, true, false);
                data.widthHint = charsToPixels(TEXT_WIDTH_CHARS);
            } else {
                // Numbers are short; a full-width box would suggest otherwise.
                data = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
                data.widthHint = charsToPixels(NUMBER_WIDTH_CHARS);
            }
            text.setLayoutData(data);
            if (multiValued) {
                text.setMessage("Separate values with commas");
            }
            text.addListener(SWT.Modify, event -> edited(this));
            return text;
        }

        @Override
        void show(Object value) {
            text.setText(displayText(value));
        }

        @Override
        String findProblem() {
            int type = definition.getType();
            if (multiValued) {
                List<String> items = splitList(text.getText());
                for (String item : items) {
                    if (!parses(type, item)) {
                        return name() + ": \"" + item + "\" is not " + kindOf(type)
                                + "; separate values with commas";
                    }
                }
                return validated(String.join(",", items));
            }
            String input = input();
            if (!isFreeText(type) && !parses(type, input)) {
                // Also covers an empty number: a single-valued number is required.
                return name() + ": enter " + kindOf(type) + exampleSuffix(type);
            }
            return validated(input);
        }

        @Override
        Object value() {
            int type = definition.getType();
            if (!multiValued) {
                return parse(type, input());
            }
            List<String> items = splitList(text.getText());
            Object array = Array.newInstance(javaType(type), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, parse(type, items.get(i)));
            }
            return array;
        }

        /** Strings are taken as typed; anything else ignores surrounding blanks. */
        private String input() {
            return isFreeText(definition.getType()) ? text.getText() : text.getText().trim();
        }

        /** "like 3": the default makes the best example, as it is a value that is known to fit. */
        private String exampleSuffix(int type) {
            Object fallback = defaultValue();
            if (fallback instanceof String && parses(type, ((String) fallback).trim())) {
                return ", like " + ((String) fallback).trim();
            }
            switch (type) {
                case AttributeDefinition.DOUBLE:
                case AttributeDefinition.FLOAT:
                    return ", like 0.5";
                case AttributeDefinition.CHARACTER:
                    return "";
                default:
                    return ", like 3";
            }
        }
    }

    /** Attributes with fixed options: the user picks a label, the form keeps the option's value. */
    private final class ChoiceField extends Field {
        private Combo combo;
        private String[] optionValues;

        ChoiceField(AttributeDefinition definition) {
            super(definition);
        }

        @Override
        Control createEditor(Composite parent) {
            optionValues = definition.getOptionValues();
            String[] labels = definition.getOptionLabels();
            if (labels == null || labels.length != optionValues.length) {
                labels = optionValues; // a metatype without labels still deserves a usable list
            }
            combo = new Combo(parent, SWT.READ_ONLY | SWT.DROP_DOWN);
            for (String label : labels) {
                combo.add(label == null ? "" : label);
            }
            combo.setVisibleItemCount(Math.min(labels.length, 12));
            combo.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false));
            combo.addListener(SWT.Selection, event -> edited(this));
            return combo;
        }

        @Override
        void show(Object value) {
            String wanted = displayText(value);
            for (int i = 0; i < optionValues.length; i++) {
                if (optionValues[i].equals(wanted)) {
                    combo.select(i);
                    return;
                }
            }
            combo.deselectAll();
        }

        @Override
        String findProblem() {
            int index = combo.getSelectionIndex();
            if (index < 0) {
                return name() + ": choose one of the options";
            }
            if (!parses(definition.getType(), optionValues[index])) {
                // The metatype's own option is malformed: say so rather than fail later.
                return name() + ": the option \"" + optionValues[index] + "\" is not "
                        + kindOf(definition.getType());
            }
            return validated(optionValues[index]);
        }

        @Override
        Object value() {
            return parse(definition.getType(), optionValues[combo.getSelectionIndex()]);
        }
    }

    /** Booleans: a check box. */
    private final class CheckField extends Field {
        private Button checkBox;

        CheckField(AttributeDefinition definition) {
            super(definition);
        }

        @Override
        Control createEditor(Composite parent) {
            checkBox = new Button(parent, SWT.CHECK);
            checkBox.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false));
            checkBox.addListener(SWT.Selection, event -> edited(this));
            return checkBox;
        }

        @Override
        void show(Object value) {
            checkBox.setSelection(value instanceof Boolean
                    ? (Boolean) value : Boolean.parseBoolean(displayText(value).trim()));
        }

        @Override
        String findProblem() {
            return validated(Boolean.toString(checkBox.getSelection()));
        }

        @Override
        Object value() {
            return checkBox.getSelection();
        }
    }

    // ---------------------------------------------------------------- conversions

    /** Strings, passwords and the deprecated big number types: any text is a candidate. */
    private static boolean isFreeText(int type) {
        return javaType(type) == String.class;
    }

    /** The Java type of one value, as Configuration Admin stores it. */
    private static Class<?> javaType(int type) {
        switch (type) {
            case AttributeDefinition.INTEGER:
                return Integer.class;
            case AttributeDefinition.LONG:
                return Long.class;
            case AttributeDefinition.SHORT:
                return Short.class;
            case AttributeDefinition.BYTE:
                return Byte.class;
            case AttributeDefinition.DOUBLE:
                return Double.class;
            case AttributeDefinition.FLOAT:
                return Float.class;
            case AttributeDefinition.BOOLEAN:
                return Boolean.class;
            case AttributeDefinition.CHARACTER:
                return Character.class;
            default:
                return String.class; // STRING, PASSWORD and the deprecated big number types
        }
    }

    /** Parses one value of the type; throws IllegalArgumentException when it does not fit. */
    private static Object parse(int type, String input) {
        switch (type) {
            case AttributeDefinition.INTEGER:
                return Integer.valueOf(input);
            case AttributeDefinition.LONG:
                return Long.valueOf(input);
            case AttributeDefinition.SHORT:
                return Short.valueOf(input);
            case AttributeDefinition.BYTE:
                return Byte.valueOf(input);
            case AttributeDefinition.DOUBLE:
                return requireFinite(Double.valueOf(input));
            case AttributeDefinition.FLOAT:
                return requireFinite(Float.valueOf(input));
            case AttributeDefinition.BOOLEAN:
                if (!input.equalsIgnoreCase("true") && !input.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("not a boolean: " + input);
                }
                return Boolean.valueOf(input);
            case AttributeDefinition.CHARACTER:
                if (input.length() != 1) {
                    throw new IllegalArgumentException("not one character: " + input);
                }
                return input.charAt(0);
            default:
                return input;
        }
    }

    private static <N extends Number> N requireFinite(N number) {
        // "NaN" and "Infinity" parse, but no setting means them.
        if (!Double.isFinite(number.doubleValue())) {
            throw new IllegalArgumentException("not a finite number: " + number);
        }
        return number;
    }

    private static boolean parses(int type, String input) {
        try {
            parse(type, input);
            return true;
        } catch (IllegalArgumentException notThatType) { // includes NumberFormatException
            return false;
        }
    }

    /** What the user should type, for messages: "a whole number", "a number", ... */
    private static String kindOf(int type) {
        switch (type) {
            case AttributeDefinition.INTEGER:
            case AttributeDefinition.LONG:
                return "a whole number";
            case AttributeDefinition.SHORT:
                return "a whole number from " + Short.MIN_VALUE + " to " + Short.MAX_VALUE;
            case AttributeDefinition.BYTE:
                return "a whole number from " + Byte.MIN_VALUE + " to " + Byte.MAX_VALUE;
            case AttributeDefinition.DOUBLE:
            case AttributeDefinition.FLOAT:
                return "a number";
            case AttributeDefinition.BOOLEAN:
                return "true or false";
            case AttributeDefinition.CHARACTER:
                return "a single character";
            default:
                return "text";
        }
    }

    /** A value as the user sees it: lists (arrays, collections) as "a, b, c". */
    private static String displayText(Object value) {
        if (value == null) {
            return "";
        }
        StringJoiner joined = new StringJoiner(", ");
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                joined.add(String.valueOf(Array.get(value, i)));
            }
            return joined.toString();
        }
        if (value instanceof Collection) {
            for (Object element : (Collection<?>) value) {
                joined.add(String.valueOf(element));
            }
            return joined.toString();
        }
        return String.valueOf(value);
    }

    /** "a, b,,c " → [a, b, c]: blank items are slips of the keyboard, not values. */
    private static List<String> splitList(String input) {
        List<String> items = new ArrayList<>();
        for (String item : input.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    // ---------------------------------------------------------------- look

    /** Labels treat '&' as a mnemonic marker; names and messages mean it literally. */
    private static String literal(String text) {
        return text.replace("&", "&&");
    }

    private GridData wrappingData() {
        GridData data = new GridData(SWT.FILL, SWT.TOP, true, false);
        // A width hint keeps a long wrapped text from asking for one very wide line.
        data.widthHint = charsToPixels(TEXT_WIDTH_CHARS);
        return data;
    }

    private static GridData hiddenRowData(GridData data) {
        data.exclude = true;
        return data;
    }

    private int charsToPixels(int chars) {
        return (int) Math.ceil(chars * averageCharWidth);
    }

    private Font smallerFont(Font base) {
        FontData[] data = base.getFontData();
        for (FontData fontData : data) {
            fontData.setHeight(Math.max(6, Math.round(fontData.getHeight() * 0.9f)));
        }
        return new Font(form.getDisplay(), data);
    }

    private static RGB blend(RGB foreground, RGB background, double foregroundShare) {
        return new RGB(
                (int) Math.round(foreground.red * foregroundShare
                        + background.red * (1 - foregroundShare)),
                (int) Math.round(foreground.green * foregroundShare
                        + background.green * (1 - foregroundShare)),
                (int) Math.round(foreground.blue * foregroundShare
                        + background.blue * (1 - foregroundShare)));
    }
}

"""Import and export of organisations (django-import-export), one row per organisation.

Rows are identified by their slug (the ``slug`` column, or the name made into a slug when that is
empty), so importing a corrected file again updates the organisations it created. Every row is
saved through ``organisation_create``/``organisation_update``, which keep the search text current.
Each value is checked with a message naming what is wrong; the admin imports nothing unless every
row is valid.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import fields, resources, widgets

from . import imports
from .models import Organisation, Region, Sector, Topic
from .services import RESERVED_SLUGS, organisation_create, organisation_update
from .validators import LANGUAGE_CHOICES

M2M_COLUMNS = ["sectors", "topics_offered", "topics_needed"]

# Spreadsheets run a cell that starts with one of these as a formula. Exported text that does gets a
# leading apostrophe (which spreadsheets hide), and the import drops it again.
_FORMULA_START = re.compile(r"^[=+@\t\r]|^-[^\s]")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _split(value):
    return [part.strip() for part in re.split(r"[,;]", _text(value)) if part.strip()]


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text.startswith("'") and _FORMULA_START.match(text[1:]):
            text = text[1:]
        return text

    def render(self, value, obj=None, **kwargs):
        text = "" if value is None else str(value)
        return "'" + text if _FORMULA_START.match(text) else text


class URLWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text and "://" not in text:
            text = "https://" + text
        return text


class ChoiceWidget(widgets.Widget):
    """A value of a TextChoices, written as its code or its label, in any case."""

    def __init__(self, choices, *, what, **kwargs):
        self.choices = choices
        self.what = what
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        wanted = text.casefold()
        for code, label in self.choices.choices:
            if wanted in (code.casefold(), str(label).casefold()):
                return code
        raise ValueError(
            _("Unknown %(what)s “%(value)s”: use one of %(codes)s.")
            % {"what": self.what, "value": text, "codes": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CountryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        code = countries.alpha2(text)
        if not code:
            raise ValueError(
                _("Unknown country “%(value)s”: use a two-letter ISO 3166 code such as ES, IT, IE, TR or FR.")
                % {"value": text}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


class CoordinateWidget(widgets.Widget):
    """A latitude or longitude in decimal degrees (a decimal comma is accepted), kept to 5 places."""

    def __init__(self, *, what, limit, **kwargs):
        self.what = what
        self.limit = limit
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value).replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": _text(value)})
        if abs(number) > self.limit:
            raise ValueError(
                _("The %(what)s must be between -%(limit)s and %(limit)s; it is %(value)s.")
                % {"what": self.what, "limit": self.limit, "value": text}
            )
        return number.quantize(Decimal("0.00001"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(_("“%(value)s” is not a year.") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class LanguagesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        codes = list(dict.fromkeys(code.lower() for code in _split(value)))
        known = dict(LANGUAGE_CHOICES)
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValueError(
                _("Unknown language code %(codes)s: use two-letter codes among %(known)s.")
                % {"codes": ", ".join(f"“{code}”" for code in unknown), "known": ", ".join(known)}
            )
        return codes

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class CodeListWidget(widgets.ManyToManyWidget):
    """Comma-separated codes of a taxonomy (NACE codes, topic slugs); every code must exist.

    The taxonomy is small, so it is read once per import rather than once per row."""

    def __init__(self, model, *, field, what, normalise, **kwargs):
        self.what = what
        self.normalise = normalise
        self._by_code = None
        super().__init__(model, separator=", ", field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = list(dict.fromkeys(self.normalise(code) for code in _split(value)))
        if self._by_code is None:
            self._by_code = {getattr(obj, self.field): obj for obj in self.model.objects.all()}
        unknown = [code for code in codes if code not in self._by_code]
        if unknown:
            raise ValueError(
                _("Unknown %(what)s %(codes)s.")
                % {"what": self.what, "codes": ", ".join(f"“{code}”" for code in unknown)}
            )
        return [self._by_code[code] for code in codes]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        objects = value if isinstance(value, list) else value.all()
        return self.separator.join(str(getattr(obj, self.field)) for obj in objects)


class ManyToManyField(fields.Field):
    """A many-to-many column. While a row is imported its value is the one read from the file, so
    that the preview shows it without asking the database."""

    def get_value(self, instance):
        pending = getattr(instance, "_import_m2m", {})
        if self.attribute in pending:
            return pending[self.attribute]
        return super().get_value(instance)


def _field(column, widget):
    field_class = ManyToManyField if isinstance(widget, widgets.ManyToManyWidget) else fields.Field
    return field_class(attribute=column, column_name=column, widget=widget)


class OrganisationResource(resources.ModelResource):
    slug = _field("slug", TextWidget())
    name = _field("name", TextWidget())
    kind = _field("kind", ChoiceWidget(Organisation.Kind, what=_("kind")))
    subtype = _field("subtype", ChoiceWidget(Organisation.Subtype, what=_("subtype")))
    short_name = _field("short_name", TextWidget())
    country = _field("country", CountryWidget())
    region = _field("region", ChoiceWidget(Region, what=_("region")))
    city = _field("city", TextWidget())
    latitude = _field("latitude", CoordinateWidget(what=_("latitude"), limit=90))
    longitude = _field("longitude", CoordinateWidget(what=_("longitude"), limit=180))
    size_band = _field("size_band", ChoiceWidget(Organisation.SizeBand, what=_("size band")))
    founded_year = _field("founded_year", YearWidget())
    website = _field("website", URLWidget())
    languages = _field("languages", LanguagesWidget())
    sectors = _field(
        "sectors", CodeListWidget(Sector, field="code", what=_("NACE code"), normalise=str.upper)
    )
    topics_offered = _field(
        "topics_offered", CodeListWidget(Topic, field="slug", what=_("topic"), normalise=str.lower)
    )
    topics_needed = _field(
        "topics_needed", CodeListWidget(Topic, field="slug", what=_("topic"), normalise=str.lower)
    )
    description = _field("description", TextWidget())

    class Meta:
        model = Organisation
        fields = imports.COLUMNS
        import_order = imports.COLUMNS
        export_order = imports.COLUMNS
        import_id_fields = ["slug"]
        # One transaction for the whole file; the admin also rolls back on validation errors.
        use_transactions = True
        # The services validate each organisation before saving it (see validate_instance).
        clean_model_instances = False
        skip_unchanged = False
        report_skipped = True

    @classmethod
    def get_display_name(cls):
        return _("Organisations")

    def get_queryset(self):
        return Organisation.objects.prefetch_related(*M2M_COLUMNS)

    # --- the file as a whole ----------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Check the columns (the admin's form did already; this guards other callers), give every
        row its slug, and note slugs that more than one row claims."""
        imports.normalise_headers(dataset)
        imports.check_headers(dataset.headers)
        if "slug" not in dataset.headers:
            dataset.append_col([""] * dataset.height, header="slug")
        slug_at, name_at = dataset.headers.index("slug"), dataset.headers.index("name")
        self._first_row_of_slug = {}
        self._row_slugs = {}
        for number, row in enumerate(dataset, 1):
            slug = self._slug_for(row[slug_at], row[name_at])
            self._row_slugs[number] = slug
            if slug:
                self._first_row_of_slug.setdefault(slug, number)

    @staticmethod
    def _slug_for(slug, name):
        return slugify(_text(slug))[:220] or slugify(_text(name))[:200]

    def before_import_row(self, row, **kwargs):
        row["slug"] = self._row_slugs[kwargs["row_number"]]

    # --- one row ----------------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values on the organisation and check what a single column can't: the
        subtype against the kind, the slug against other rows, the taxonomies' codes."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        instance._import_m2m = {}
        for column in M2M_COLUMNS:
            if column in row:
                try:
                    instance._import_m2m[column] = self.fields[column].clean(row)
                except ValueError as exc:
                    errors[column] = ValidationError(str(exc), code="invalid")
        self._check_kind(instance, errors)
        self._check_slug(instance, row, errors, kwargs.get("row_number"))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_kind(instance, errors):
        if "kind" in errors or "subtype" in errors or not instance.kind:
            return
        if instance.kind == Organisation.Kind.INTERMEDIARY and not instance.subtype:
            errors["subtype"] = ValidationError(
                _("An intermediary needs a subtype: one of %(codes)s.")
                % {"codes": ", ".join(Organisation.Subtype.values)},
                code="required",
            )
        elif instance.kind != Organisation.Kind.INTERMEDIARY and instance.subtype:
            errors["subtype"] = ValidationError(
                _("Only intermediaries have a subtype; leave it empty when the kind is %(kind)s.")
                % {"kind": instance.kind},
                code="invalid",
            )

    def _check_slug(self, instance, row, errors, row_number):
        slug = row.get("slug")
        if not slug:
            errors.setdefault(
                "slug",
                ValidationError(_("Give this row a slug: its name makes none."), code="required"),
            )
        elif instance._state.adding and slug in RESERVED_SLUGS:
            errors.setdefault(
                "slug",
                ValidationError(
                    _("“%(slug)s” is reserved for the portal's own pages: give this row another slug.")
                    % {"slug": slug},
                    code="reserved",
                ),
            )
        elif row_number and self._first_row_of_slug.get(slug, row_number) != row_number:
            errors.setdefault(
                "slug",
                ValidationError(
                    _("Row %(row)s already has the slug “%(slug)s”: each organisation may appear once.")
                    # Numbered as in the spreadsheet, where the header is row 1.
                    % {"row": self._first_row_of_slug[slug] + 1, "slug": slug},
                    code="duplicate",
                ),
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """A row the columns found fault with also gets the model's own checks, so that all its
        problems show at once; any other row is validated by the service that saves it."""
        errors = dict(import_validation_errors or {})
        if not errors:
            return
        try:
            instance.full_clean(exclude=[*errors, "slug", "search_text"], validate_unique=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save through the organisation services, which also set the many-to-many fields and the
        search text."""
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            return
        m2m = instance._import_m2m
        if is_create:
            values = {name: getattr(instance, name) for name in imports.COLUMNS if name not in M2M_COLUMNS}
            created = organisation_create(creator=None, m2m=m2m, **values)
            for field in Organisation._meta.concrete_fields:
                setattr(instance, field.attname, getattr(created, field.attname))
            instance._state.adding = False
            instance._state.db = created._state.db
        else:
            organisation_update(organisation=instance, actor=kwargs.get("user"), m2m=m2m)

    def save_m2m(self, instance, row, **kwargs):
        """The services set them in ``save_instance``."""

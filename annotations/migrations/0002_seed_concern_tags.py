from django.db import migrations

# The initial taxonomy (DESIGN §3). Colours: Paul Tol's "muted" scheme plus three Okabe-Ito
# colours, chosen to stay distinguishable with the common colour-vision deficiencies; tags are
# always named in text too, never told apart by colour alone.
TAGS = [
    ("privacy", "Privacy", "#332288",
     "Powers to collect, retain or share personal information without the necessity, proportionality and"
     " oversight that the right to privacy requires."),
    ("freedom-of-expression", "Freedom of expression", "#CC6677",
     "Offences or measures worded so broadly that they could criminalise legitimate speech, reporting or"
     " access to information."),
    ("surveillance-powers", "Surveillance powers", "#882255",
     "Real-time interception, traffic-data collection or other intrusive investigative powers without"
     " strict limits, judicial authorisation or notification."),
    ("overbroad-scope", "Overbroad scope", "#DDCC77",
     "Obligations that reach beyond computer-dependent crimes to any offence committed with a computer,"
     " inviting use against conduct that is not cybercrime."),
    ("dual-criminality", "Dual criminality", "#117733",
     "Cooperation required even when the conduct is not a crime in the requested State, exposing people"
     " to prosecution for acts that are lawful where they are."),
    ("procedural-safeguards", "Procedural safeguards", "#44AA99",
     "Missing or weak conditions such as prior judicial review, limits in time and scope, remedies and"
     " transparency on the use of the powers."),
    ("data-protection", "Data protection", "#88CCEE",
     "Transfers of personal data across borders without data-protection guarantees, purpose limitation or"
     " a right to redress."),
    ("human-rights-defenders", "Human rights defenders and journalists", "#AA4499",
     "Risk that the powers are turned against journalists, activists, whistleblowers and human rights"
     " defenders."),
    ("security-research", "Security research", "#999933",
     "Offences that do not exempt good-faith security testing, vulnerability research and responsible"
     " disclosure."),
    ("cross-border-data-access", "Cross-border data access", "#0072B2",
     "Direct or expedited access to data held in another jurisdiction that bypasses that country's"
     " safeguards."),
    ("child-protection", "Child protection", "#E69F00",
     "Whether provisions meant to protect children are effective and precise, and do not criminalise"
     " children themselves or legitimate material."),
    ("gender", "Gender", "#D55E00",
     "Gender-based harms online and whether the text addresses them, and the gendered impact of its"
     " powers and offences."),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ConcernTag = apps.get_model("annotations", "ConcernTag")
    for order, (slug, name, color, description) in enumerate(TAGS, start=1):
        ConcernTag.objects.update_or_create(
            slug=slug, defaults={"name": name, "color": color, "description": description, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

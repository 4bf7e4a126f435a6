from django.db import migrations, models

# The names of the initial tags (0002) in the other UN languages (docs/glossary.md); staff edit
# them, and the descriptions, in the admin. A tag staff renamed or added is left alone.
SEED_NAMES = {
    "privacy": {"ar": "الخصوصية", "zh-hans": "隐私", "fr": "Vie privée", "ru": "Неприкосновенность частной жизни", "es": "Privacidad"},
    "freedom-of-expression": {"ar": "حرية التعبير", "zh-hans": "言论自由", "fr": "Liberté d'expression", "ru": "Свобода выражения мнений", "es": "Libertad de expresión"},
    "surveillance-powers": {"ar": "صلاحيات المراقبة", "zh-hans": "监控权力", "fr": "Pouvoirs de surveillance", "ru": "Полномочия по надзору", "es": "Facultades de vigilancia"},
    "overbroad-scope": {"ar": "نطاق مفرط الاتساع", "zh-hans": "范围过宽", "fr": "Champ d'application trop large", "ru": "Чрезмерно широкая сфера применения", "es": "Ámbito de aplicación excesivo"},
    "dual-criminality": {"ar": "ازدواجية التجريم", "zh-hans": "双重犯罪", "fr": "Double incrimination", "ru": "Обоюдное признание деяния преступлением", "es": "Doble incriminación"},
    "procedural-safeguards": {"ar": "الضمانات الإجرائية", "zh-hans": "程序保障", "fr": "Garanties procédurales", "ru": "Процессуальные гарантии", "es": "Garantías procesales"},
    "data-protection": {"ar": "حماية البيانات", "zh-hans": "数据保护", "fr": "Protection des données", "ru": "Защита данных", "es": "Protección de datos"},
    "human-rights-defenders": {"ar": "المدافعون عن حقوق الإنسان والصحفيون", "zh-hans": "人权维护者和记者", "fr": "Défenseurs des droits humains et journalistes", "ru": "Правозащитники и журналисты", "es": "Defensores de los derechos humanos y periodistas"},
    "security-research": {"ar": "البحث في مجال الأمن", "zh-hans": "安全研究", "fr": "Recherche en sécurité", "ru": "Исследования в области безопасности", "es": "Investigación en seguridad"},
    "cross-border-data-access": {"ar": "الوصول إلى البيانات عبر الحدود", "zh-hans": "跨境数据访问", "fr": "Accès transfrontière aux données", "ru": "Трансграничный доступ к данным", "es": "Acceso transfronterizo a datos"},
    "child-protection": {"ar": "حماية الطفل", "zh-hans": "儿童保护", "fr": "Protection de l'enfance", "ru": "Защита детей", "es": "Protección de la infancia"},
    "gender": {"ar": "المنظور الجنساني", "zh-hans": "性别", "fr": "Genre", "ru": "Гендерные аспекты", "es": "Género"},
}


def seed(apps, schema_editor):
    ConcernTag = apps.get_model("annotations", "ConcernTag")
    for tag in ConcernTag.objects.filter(slug__in=SEED_NAMES):
        if not tag.name_translations:
            tag.name_translations = SEED_NAMES[tag.slug]
            tag.save(update_fields=["name_translations"])


class Migration(migrations.Migration):
    dependencies = [("annotations", "0014_anchor_resolutions")]

    operations = [
        migrations.AddField(
            model_name="concerntag",
            name="description_translations",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="concerntag",
            name="name_translations",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

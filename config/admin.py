from django.contrib import admin

admin.site.site_header = "DOMS back office"
admin.site.site_title = "DOMS back office"
admin.site.index_title = "Dashboard"
